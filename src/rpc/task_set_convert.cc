#include "rpc/task_set_convert.h"

#include <algorithm>
#include <optional>
#include <variant>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "rpc/task_enums.h"
#include "sched/cron_schedule.h"

namespace asgard::rpc {
namespace {

using runtime::TaskKind;

absl::Status Invalid(const v1::TaskDefinition& def, const std::string& field,
                     const std::string& why) {
  return absl::InvalidArgumentError(
      absl::StrCat("task '", def.name(), "' (id ", def.ref().id(), "): ", field, ": ", why));
}

absl::Status Invalid(const v1::TaskDefinition& def, const runtime::InvalidField& bad) {
  return Invalid(def, bad.field, bad.reason);
}

// A spec or a policy, or the first field of it that is wrong.
template <typename Policy>
using OrField = std::variant<Policy, runtime::InvalidField>;

// Unset numbers (0, or -1 where 0 is meaningful) keep the spec's defaults.
OrField<process::ProcessSpec> ToSpec(const v1::TaskDefinition& def) {
  process::ProcessSpec spec;
  spec.name = def.name();
  spec.dir = def.dir();
  spec.program = def.program();
  spec.args = def.args();
  spec.std_out = def.std_out();
  spec.std_err = def.std_err();
  spec.user = def.user();
  // A non-admin chose these paths: the files are opened with the task user's rights.
  spec.files_as_user = def.as_task_user();
  spec.env.insert(def.env().begin(), def.env().end());
  if (def.stop_signal() != 0) {
    absl::StatusOr<Signal> signal = Signal::FromNumber(def.stop_signal());
    if (!signal.ok()) {
      return runtime::InvalidField{"stop_signal", std::string(signal.status().message())};
    }
    spec.stop_signal = *signal;
  }
  if (def.stop_timeout() > 0) spec.stop_timeout = std::chrono::seconds(def.stop_timeout());
  if (def.max_bytes() >= 0) spec.max_bytes = def.max_bytes();
  if (def.backups() >= 0) spec.backups = def.backups();
  spec.is_monitor = def.is_monitor();
  return spec;
}

runtime::RunPolicy ToRun(const v1::TaskDefinition& def) {
  runtime::RunPolicy run;
  run.timeout = std::chrono::seconds(def.timeout() > 0 ? def.timeout() : 0);
  run.retries = std::max(0, def.retries());
  run.retry_delay = std::chrono::seconds(std::max<int64_t>(0, def.retry_delay()));
  return run;
}

process::RestartPolicy ToRestart(const v1::TaskDefinition& def) {
  process::RestartPolicy restart;
  restart.auto_restart = def.auto_restart();
  if (def.start_secs() >= 0) restart.start_secs = std::chrono::seconds(def.start_secs());
  if (def.max_restarts() >= 0) restart.max_restarts = def.max_restarts();
  if (def.backoff_max() > 0) restart.backoff_max = std::chrono::seconds(def.backoff_max());
  return restart;
}

OrField<runtime::JobPolicy> ToJob(const v1::TaskDefinition& def) {
  absl::StatusOr<sched::CronSchedule> schedule = sched::CronSchedule::Parse(def.spec());
  if (!schedule.ok()) {
    return runtime::InvalidField{"spec", std::string(schedule.status().message())};
  }
  runtime::JobPolicy job{*std::move(schedule)};
  auto concurrency = ConcurrencyOf(def);
  if (!concurrency.ok()) {
    return runtime::InvalidField{"concurrency", std::string(concurrency.status().message())};
  }
  job.concurrency = *concurrency;
  if (def.max_concurrent() < 0 || def.max_concurrent() > runtime::kMaxConcurrentLimit) {
    return runtime::InvalidField{
        "max_concurrent", absl::StrCat(def.max_concurrent(), " is out of range 0..",
                                       runtime::kMaxConcurrentLimit, " (0 = the default)")};
  }
  if (def.max_concurrent() > 0) job.max_concurrent = def.max_concurrent();
  job.run = ToRun(def);
  return job;
}

OrField<runtime::TimingPolicy> ToTiming(const v1::TaskDefinition& def) {
  if (def.time() <= 0) return runtime::InvalidField{"time", "is not set"};
  runtime::TimingPolicy timing;
  timing.time = std::chrono::system_clock::time_point(std::chrono::seconds(def.time()));
  timing.run = ToRun(def);
  timing.grace = std::chrono::seconds(std::max<int64_t>(0, def.grace()));
  return timing;
}

// The definition of a known kind in the runtime's terms, or the first field that is wrong.
OrField<runtime::TaskDef> Convert(const v1::TaskDefinition& def, TaskKind kind) {
  runtime::TaskDef out;
  out.id = runtime::TaskId{kind, def.ref().id(), def.name()};
  auto spec = ToSpec(def);
  if (auto* bad = std::get_if<runtime::InvalidField>(&spec)) return *bad;
  out.spec = std::get<process::ProcessSpec>(std::move(spec));
  if (auto bad = runtime::FindInvalidSpecField(out.spec)) return *bad;
  switch (kind) {
    case TaskKind::kApp:
      out.policy = ToRestart(def);
      break;
    case TaskKind::kJob: {
      auto job = ToJob(def);
      if (auto* bad = std::get_if<runtime::InvalidField>(&job)) return *bad;
      out.policy = std::get<runtime::JobPolicy>(std::move(job));
      break;
    }
    case TaskKind::kTiming: {
      auto timing = ToTiming(def);
      if (auto* bad = std::get_if<runtime::InvalidField>(&timing)) return *bad;
      out.policy = std::get<runtime::TimingPolicy>(std::move(timing));
      break;
    }
  }
  if (auto bad = runtime::FindInvalidField(out)) return *bad;
  return out;
}

}  // namespace

absl::StatusOr<runtime::TaskKind> RuntimeKind(v1::TaskKind kind) {
  switch (kind) {
    case v1::TASK_KIND_APP:
      return TaskKind::kApp;
    case v1::TASK_KIND_JOB:
      return TaskKind::kJob;
    case v1::TASK_KIND_TIMING:
      return TaskKind::kTiming;
    default:
      return absl::InvalidArgumentError("ref.kind: must be app (2), job (3) or timing (4)");
  }
}

v1::TaskKind WireKind(runtime::TaskKind kind) {
  switch (kind) {
    case TaskKind::kApp:
      return v1::TASK_KIND_APP;
    case TaskKind::kJob:
      return v1::TASK_KIND_JOB;
    case TaskKind::kTiming:
      return v1::TASK_KIND_TIMING;
  }
  return v1::TASK_KIND_UNSPECIFIED;
}

runtime::TaskId IdOf(const v1::TaskDefinition& def) {
  return runtime::TaskId{RuntimeKind(def.ref().kind()).value_or(TaskKind::kApp), def.ref().id(),
                         def.name()};
}

v1::TaskRef RefOf(const runtime::TaskId& id) {
  v1::TaskRef ref;
  ref.set_kind(WireKind(id.kind));
  ref.set_id(id.number);
  return ref;
}

absl::StatusOr<runtime::TaskDef> ToTaskDef(const v1::TaskDefinition& def) {
  ASSIGN_OR_RETURN(TaskKind kind, RuntimeKind(def.ref().kind()));
  if (def.ref().id() <= 0) return Invalid(def, "ref.id", "must be > 0");
  auto converted = Convert(def, kind);
  if (auto* bad = std::get_if<runtime::InvalidField>(&converted)) return Invalid(def, *bad);
  return std::get<runtime::TaskDef>(std::move(converted));
}

std::optional<runtime::InvalidField> FindRefusedField(const v1::TaskDefinition& def) {
  auto kind = RuntimeKind(def.ref().kind());
  if (!kind.ok()) return runtime::InvalidField{"kind", std::string(kind.status().message())};
  auto converted = Convert(def, *kind);
  if (auto* bad = std::get_if<runtime::InvalidField>(&converted)) return *bad;
  return std::nullopt;
}

}  // namespace asgard::rpc
