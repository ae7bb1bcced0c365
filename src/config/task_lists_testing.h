// File: task_lists_testing.h
// For the loader's tests: the TaskSet of a Config read back as flat lists of apps, jobs and
// timings (copies), so that each assertion names the field as app.yaml does.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "config/config.h"

namespace asgard::config::testing {

struct AppConfig {
  process::ProcessSpec spec;
  process::RestartPolicy restart;
};

struct JobConfig {
  process::ProcessSpec spec;
  std::string schedule;  // the spec text of the parsed schedule
  std::chrono::seconds timeout{0};
  Concurrency concurrency = Concurrency::kForbid;
  int max_concurrent = 0;
  int retries = 0;
  std::chrono::seconds retry_delay{0};
};

struct TimingConfig {
  process::ProcessSpec spec;
  std::chrono::system_clock::time_point time;
  std::chrono::seconds timeout{0};
  int retries = 0;
  std::chrono::seconds retry_delay{0};
  std::chrono::seconds grace{0};
};

inline std::vector<AppConfig> Apps(const Config& c) {
  std::vector<AppConfig> out;
  for (const auto* t : c.tasks.OfKind(runtime::TaskKind::kApp)) {
    out.push_back({t->spec, t->restart()});
  }
  return out;
}

inline std::vector<JobConfig> Jobs(const Config& c) {
  std::vector<JobConfig> out;
  for (const auto* t : c.tasks.OfKind(runtime::TaskKind::kJob)) {
    const runtime::JobPolicy& j = t->job();
    out.push_back({t->spec, j.schedule.spec(), j.run.timeout, j.concurrency, j.max_concurrent,
                   j.run.retries, j.run.retry_delay});
  }
  return out;
}

inline std::vector<TimingConfig> Timings(const Config& c) {
  std::vector<TimingConfig> out;
  for (const auto* t : c.tasks.OfKind(runtime::TaskKind::kTiming)) {
    const runtime::TimingPolicy& p = t->timing();
    out.push_back({t->spec, p.time, p.run.timeout, p.run.retries, p.run.retry_delay, p.grace});
  }
  return out;
}

}  // namespace asgard::config::testing
