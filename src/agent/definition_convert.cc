#include "agent/definition_convert.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "process/argv.h"
#include "sched/cron_schedule.h"

namespace asgard::agent {
namespace {

absl::Status Invalid(const v1::TaskDefinition& def, const std::string& field,
                     const std::string& why) {
  return absl::InvalidArgumentError(
      absl::StrCat("task '", def.name(), "' (id ", def.ref().id(), "): ", field, ": ", why));
}

absl::StatusOr<process::ProcessSpec> ToSpec(const v1::TaskDefinition& def) {
  if (def.ref().id() <= 0) return Invalid(def, "ref.id", "must be > 0");
  if (def.name().empty()) return Invalid(def, "name", "is empty");
  if (def.program().empty()) return Invalid(def, "program", "is empty");
  if (auto args = process::SplitArgs(def.args()); !args.ok()) {
    return Invalid(def, "args", std::string(args.status().message()));
  }
  if (def.stop_signal() < 0 || def.stop_signal() > 64) {
    return Invalid(def, "stop_signal", absl::StrCat(def.stop_signal(), " is not a signal"));
  }
  process::ProcessSpec spec;
  spec.name = TaskKey(def);
  spec.dir = def.dir();
  spec.program = def.program();
  spec.args = def.args();
  spec.std_out = def.std_out();
  spec.std_err = def.std_err();
  spec.user = def.user();
  // A non-admin chose these paths: the files are opened with the task user's rights.
  spec.files_as_user = def.as_task_user();
  spec.env.insert(def.env().begin(), def.env().end());
  if (def.stop_signal() > 0) spec.stop_signal = def.stop_signal();
  if (def.stop_timeout() > 0) spec.stop_timeout = std::chrono::seconds(def.stop_timeout());
  if (def.max_bytes() >= 0) spec.max_bytes = def.max_bytes();
  if (def.backups() >= 0) spec.backups = def.backups();
  spec.is_monitor = def.is_monitor();
  return spec;
}

absl::StatusOr<runtime::Concurrency> ToConcurrency(const v1::TaskDefinition& def) {
  const std::string& c = def.concurrency();
  if (c.empty() || c == "forbid") return runtime::Concurrency::kForbid;
  if (c == "allow") return runtime::Concurrency::kAllow;
  if (c == "replace") return runtime::Concurrency::kReplace;
  return Invalid(def, "concurrency", absl::StrCat("'", c, "' is not forbid, allow or replace"));
}

}  // namespace

std::string TaskKey(const v1::TaskDefinition& def) {
  return absl::StrCat(def.name(), "#", def.ref().id());
}

absl::StatusOr<process::TaskKind> RuntimeKind(v1::TaskKind kind) {
  switch (kind) {
    case v1::TASK_KIND_APP:
      return process::TaskKind::kApp;
    case v1::TASK_KIND_JOB:
      return process::TaskKind::kJob;
    case v1::TASK_KIND_TIMING:
      return process::TaskKind::kTiming;
    default:
      return absl::InvalidArgumentError("ref.kind: must be app (2), job (3) or timing (4)");
  }
}

v1::TaskKind WireKind(process::TaskKind kind) {
  switch (kind) {
    case process::TaskKind::kApp:
      return v1::TASK_KIND_APP;
    case process::TaskKind::kJob:
      return v1::TASK_KIND_JOB;
    case process::TaskKind::kTiming:
      return v1::TASK_KIND_TIMING;
  }
  return v1::TASK_KIND_UNSPECIFIED;
}

absl::StatusOr<config::AppConfig> ToAppConfig(const v1::TaskDefinition& def) {
  config::AppConfig app;
  ASSIGN_OR_RETURN(app.spec, ToSpec(def));
  app.restart.auto_restart = def.auto_restart();
  if (def.start_secs() >= 0) app.restart.start_secs = std::chrono::seconds(def.start_secs());
  if (def.max_restarts() >= 0) app.restart.max_restarts = def.max_restarts();
  if (def.backoff_max() > 0) app.restart.backoff_max = std::chrono::seconds(def.backoff_max());
  return app;
}

absl::StatusOr<config::JobConfig> ToJobConfig(const v1::TaskDefinition& def) {
  config::JobConfig job;
  ASSIGN_OR_RETURN(job.spec, ToSpec(def));
  if (auto parsed = sched::CronSchedule::Parse(def.spec()); !parsed.ok()) {
    return Invalid(def, "spec", std::string(parsed.status().message()));
  }
  job.schedule = def.spec();
  job.timeout = std::chrono::seconds(def.timeout() > 0 ? def.timeout() : 0);
  ASSIGN_OR_RETURN(job.concurrency, ToConcurrency(def));
  if (def.max_concurrent() < 0 || def.max_concurrent() > runtime::kMaxConcurrentLimit) {
    return Invalid(def, "max_concurrent",
                   absl::StrCat(def.max_concurrent(), " is out of range 0..",
                                runtime::kMaxConcurrentLimit, " (0 = the default)"));
  }
  if (def.max_concurrent() > 0) job.max_concurrent = def.max_concurrent();
  job.retries = std::max(0, def.retries());
  job.retry_delay = std::chrono::seconds(std::max<int64_t>(0, def.retry_delay()));
  return job;
}

absl::StatusOr<config::TimingConfig> ToTimingConfig(const v1::TaskDefinition& def) {
  config::TimingConfig timing;
  ASSIGN_OR_RETURN(timing.spec, ToSpec(def));
  if (def.time() <= 0) return Invalid(def, "time", "is not set");
  timing.time = std::chrono::system_clock::time_point(std::chrono::seconds(def.time()));
  timing.timeout = std::chrono::seconds(def.timeout() > 0 ? def.timeout() : 0);
  timing.retries = std::max(0, def.retries());
  timing.retry_delay = std::chrono::seconds(std::max<int64_t>(0, def.retry_delay()));
  timing.grace = std::chrono::seconds(std::max<int64_t>(0, def.grace()));
  return timing;
}

absl::Status ValidateDefinition(const v1::TaskDefinition& def) {
  ASSIGN_OR_RETURN(process::TaskKind kind, RuntimeKind(def.ref().kind()));
  switch (kind) {
    case process::TaskKind::kApp:
      return ToAppConfig(def).status();
    case process::TaskKind::kJob:
      return ToJobConfig(def).status();
    case process::TaskKind::kTiming:
      return ToTimingConfig(def).status();
  }
  return absl::OkStatus();
}

}  // namespace asgard::agent
