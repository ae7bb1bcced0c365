#include "runtime/task_def.h"

#include "absl/strings/str_cat.h"
#include "process/argv.h"

namespace asgard::runtime {
namespace {

using Found = std::optional<InvalidField>;

Found Invalid(const char* field, std::string why) { return InvalidField{field, std::move(why)}; }

}  // namespace

std::optional<InvalidField> FindInvalidSpecField(const process::ProcessSpec& spec) {
  if (spec.name.empty()) return Invalid("name", "is empty");
  if (spec.program.empty()) return Invalid("program", "is empty");
  if (auto args = process::SplitArgs(spec.args); !args.ok()) {
    return Invalid("args", std::string(args.status().message()));
  }
  if (spec.stop_timeout.count() < 0) return Invalid("stop_timeout", "is negative");
  // max_bytes and backups need no check: LogSink brings any value within its bounds.
  return std::nullopt;
}

namespace {

Found ValidateRun(const RunPolicy& run) {
  if (run.retries < 0) return Invalid("retries", "is negative");
  if (run.retry_delay.count() < 0) return Invalid("retry_delay", "is negative");
  return std::nullopt;
}

Found ValidatePolicy(const process::RestartPolicy& restart) {
  if (restart.start_secs.count() < 0) return Invalid("start_secs", "is negative");
  if (restart.max_restarts < 0) return Invalid("max_restarts", "is negative");
  if (restart.backoff_max.count() < 1) return Invalid("backoff_max", "is below 1 second");
  return std::nullopt;
}

Found ValidatePolicy(const JobPolicy& job) {
  if (job.max_concurrent < 1 || job.max_concurrent > kMaxConcurrentLimit) {
    return Invalid("max_concurrent", absl::StrCat(job.max_concurrent, " is out of range 1..",
                                                  kMaxConcurrentLimit));
  }
  return ValidateRun(job.run);
}

Found ValidatePolicy(const TimingPolicy& timing) {
  if (timing.time.time_since_epoch().count() <= 0) return Invalid("time", "is not set");
  if (timing.grace.count() < 0) return Invalid("grace", "is negative");
  return ValidateRun(timing.run);
}

size_t PolicyIndex(TaskKind kind) {
  switch (kind) {
    case TaskKind::kApp:
      return 0;
    case TaskKind::kJob:
      return 1;
    case TaskKind::kTiming:
      return 2;
  }
  return 0;
}

}  // namespace

bool JobPolicy::operator==(const JobPolicy& o) const {
  return schedule.spec() == o.schedule.spec() && schedule.zone() == o.schedule.zone() &&
         concurrency == o.concurrency && max_concurrent == o.max_concurrent && run == o.run;
}

std::optional<InvalidField> FindInvalidField(const TaskDef& def) {
  if (def.id.number < 0) return Invalid("ref.id", "must be > 0");
  if (def.policy.index() != PolicyIndex(def.kind())) {
    return Invalid("kind", absl::StrCat("a ", process::TaskKindName(def.kind()),
                                        " needs the policy of its kind"));
  }
  if (def.spec.name != def.id.name) return Invalid("name", "differs from the task's id");
  if (Found bad = FindInvalidSpecField(def.spec)) return bad;
  return std::visit([](const auto& policy) { return ValidatePolicy(policy); }, def.policy);
}

absl::Status Validate(const TaskDef& def) {
  std::optional<InvalidField> bad = FindInvalidField(def);
  if (!bad) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(bad->field, ": ", bad->reason));
}

absl::Status TaskSet::Add(TaskDef def) {
  auto [it, inserted] = index_.emplace(def.id, defs_.size());
  if (!inserted) {
    return absl::AlreadyExistsError(absl::StrCat(process::TaskKindName(def.kind()), " '",
                                                 def.id.name, "' is already in the set"));
  }
  defs_.push_back(std::move(def));
  return absl::OkStatus();
}

void TaskSet::Put(TaskDef def) {
  auto it = index_.find(def.id);
  if (it != index_.end()) {
    defs_[it->second] = std::move(def);
    return;
  }
  index_.emplace(def.id, defs_.size());
  defs_.push_back(std::move(def));
}

bool TaskSet::Remove(const TaskId& id) {
  auto it = index_.find(id);
  if (it == index_.end()) return false;
  defs_.erase(defs_.begin() + static_cast<std::ptrdiff_t>(it->second));
  Reindex();
  return true;
}

void TaskSet::Reindex() {
  index_.clear();
  for (size_t i = 0; i < defs_.size(); ++i) index_.emplace(defs_[i].id, i);
}

const TaskDef* TaskSet::Find(const TaskId& id) const {
  auto it = index_.find(id);
  return it == index_.end() ? nullptr : &defs_[it->second];
}

std::vector<const TaskDef*> TaskSet::OfKind(TaskKind kind) const {
  std::vector<const TaskDef*> out;
  for (const auto& def : defs_) {
    if (def.kind() == kind) out.push_back(&def);
  }
  return out;
}

}  // namespace asgard::runtime
