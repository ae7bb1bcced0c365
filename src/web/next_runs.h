// File: next_runs.h
// The next run of a started job, as the task lists show it (`next_run_at`), with each distinct
// cron spec parsed once for the life of the web node rather than once per row of every page.
// A spec reaches the store only after ParseTaskInput accepted it; one that does not parse
// (imported from the original, say) shows no next run, as before.
//
//   NextRuns next_runs;
//   std::optional<absl::Time> next = next_runs.Of(task, absl::Now());  // nullopt: none shown
//
// Thread-safety: thread-safe (one mutex around the parsed specs).
#pragma once

#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sched/cron_schedule.h"
#include "store/records.h"

namespace asgard::web {

class NextRuns {
 public:
  // Distinct specs kept at most; past it the memo starts again (a bound, not a cache policy:
  // a fleet has far fewer distinct specs).
  static constexpr size_t kMaxSpecs = 4096;

  NextRuns() = default;
  NextRuns(const NextRuns&) = delete;
  NextRuns& operator=(const NextRuns&) = delete;

  // The first fire of `task` strictly after `now` when the API shows one: a job, started and
  // not deleted, whose spec parses; nullopt otherwise.
  std::optional<absl::Time> Of(const store::Task& task, absl::Time now);
  // How many specs were parsed so far (tests).
  int ParsesForTest() const;

 private:
  // The parsed `spec`, parsing it on first use; nullopt for one that does not parse.
  std::optional<sched::CronSchedule> Schedule(const std::string& spec);

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::optional<sched::CronSchedule>> parsed_
      ABSL_GUARDED_BY(mu_);
  int parses_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace asgard::web
