#include "web/next_runs.h"

namespace asgard::web {

std::optional<absl::Time> NextRuns::Of(const store::Task& task, absl::Time now) {
  if (task.kind != store::TaskKind::kJob || task.desired != store::Desired::kRun ||
      task.status == store::kTaskDeleted) {
    return std::nullopt;
  }
  std::optional<sched::CronSchedule> schedule = Schedule(task.input.spec);
  if (!schedule) return std::nullopt;
  return schedule->Next(now);
}

std::optional<sched::CronSchedule> NextRuns::Schedule(const std::string& spec) {
  absl::MutexLock lock(&mu_);
  if (auto it = parsed_.find(spec); it != parsed_.end()) return it->second;
  if (parsed_.size() >= kMaxSpecs) parsed_.clear();
  ++parses_;
  // Parsed under the lock: a parse is microseconds, and two pages asking at once for the same
  // new spec then parse it once.
  auto schedule = sched::CronSchedule::Parse(spec);
  std::optional<sched::CronSchedule> kept;
  if (schedule.ok()) kept = *std::move(schedule);
  parsed_.emplace(spec, kept);
  return kept;
}

int NextRuns::ParsesForTest() const {
  absl::MutexLock lock(&mu_);
  return parses_;
}

}  // namespace asgard::web
