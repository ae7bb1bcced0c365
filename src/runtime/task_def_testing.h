// File: task_def_testing.h
// TaskDefs for tests of the runtime: an app, a job or a timing with a name and a program, the
// rest as app.yaml defaults it. Test-only (beside the tests, not in the library).
#pragma once

#include <string>

#include "absl/time/time.h"
#include "runtime/task_def.h"

namespace asgard::runtime::testing {

inline process::ProcessSpec SpecNamed(const std::string& name) {
  process::ProcessSpec spec;
  spec.name = name;
  spec.program = "/bin/sleep";
  spec.args = "60";
  spec.stop_timeout = std::chrono::seconds(5);
  return spec;
}

// `number` 0: an app.yaml task, known by name; > 0: a master's task with that id.
inline TaskDef AppDef(const std::string& name, int64_t number = 0) {
  return TaskDef{{TaskKind::kApp, number, name}, SpecNamed(name), process::RestartPolicy{}};
}

inline TaskDef JobDef(const std::string& name, const std::string& cron, int64_t number = 0,
                      Concurrency concurrency = Concurrency::kForbid) {
  auto schedule = sched::CronSchedule::Parse(cron, absl::UTCTimeZone());
  JobPolicy policy{*schedule, concurrency};
  return TaskDef{{TaskKind::kJob, number, name}, SpecNamed(name), policy};
}

inline TaskDef TimingDef(const std::string& name, WallTime time, int64_t number = 0) {
  TimingPolicy policy;
  policy.time = time;
  return TaskDef{{TaskKind::kTiming, number, name}, SpecNamed(name), policy};
}

inline TaskSet SetOf(std::initializer_list<TaskDef> defs) {
  TaskSet set;
  for (const auto& def : defs) set.Put(def);
  return set;
}

}  // namespace asgard::runtime::testing
