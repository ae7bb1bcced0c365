// The `app:`, `cron:` and `timing:` lists of app.yaml. The original's keys keep their meaning;
// unlike the original only name and program (and spec / time) are required, and names must be
// unique within a list because a name is a task's identity across reloads (SPEC.md section 1).
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "config/config.h"
#include "config/sections.h"
#include "config/yaml_reader.h"
#include "runtime/task_def.h"
#include "sched/cron_schedule.h"
#include "sched/time_format.h"

namespace asgard::config::internal {
namespace {

constexpr int kNoLimit = std::numeric_limits<int>::max();

absl::Status Require(MapReader& entry, const char* key, const std::string& value,
                     const char* expected) {
  if (!value.empty()) return absl::OkStatus();
  if (entry.Has(key)) {
    return entry.Error(key, absl::StrCat("'' is empty (expected ", expected, ")"));
  }
  return entry.SelfError(absl::StrCat(key, " is missing (expected ", expected, ")"));
}

// `stdout` is the file's name of the field, `std_out` the API's; either may be used, not both.
absl::Status ReadStream(MapReader& entry, const char* file_key, const char* api_key,
                        std::string* out) {
  if (entry.Has(file_key) && entry.Has(api_key)) {
    return entry.Error(api_key,
                       absl::StrCat("both ", file_key, " and ", api_key,
                                    " are given (expected one of them: they are synonyms)"));
  }
  RETURN_IF_ERROR(entry.String(file_key, out));
  return entry.String(api_key, out);
}

absl::Status ReadProcessSpec(MapReader& entry, process::ProcessSpec& spec) {
  RETURN_IF_ERROR(entry.String("name", &spec.name));
  RETURN_IF_ERROR(Require(entry, "name", spec.name, "a non-empty name"));
  RETURN_IF_ERROR(entry.String("program", &spec.program));
  RETURN_IF_ERROR(Require(entry, "program", spec.program, "a program name or path"));
  RETURN_IF_ERROR(entry.String("dir", &spec.dir));
  RETURN_IF_ERROR(entry.String("args", &spec.args));
  RETURN_IF_ERROR(ReadStream(entry, "stdout", "std_out", &spec.std_out));
  RETURN_IF_ERROR(ReadStream(entry, "stderr", "std_err", &spec.std_err));
  RETURN_IF_ERROR(entry.String("user", &spec.user));
  RETURN_IF_ERROR(entry.StringMap("env", &spec.env));
  RETURN_IF_ERROR(entry.Signal("stop_signal", &spec.stop_signal));
  RETURN_IF_ERROR(entry.Seconds("stop_timeout", &spec.stop_timeout, 0));
  // Bounded: tiny files with many backups turn output into a storm of renames (process_spec.h).
  RETURN_IF_ERROR(entry.ByteSize("max_bytes", &spec.max_bytes, process::kMinRotateBytes));
  RETURN_IF_ERROR(entry.Int("backups", &spec.backups, 0, process::kMaxBackups));
  return entry.Bool("is_monitor", &spec.is_monitor);
}

// Retries are shared by jobs and timings; `timeout` <= 0 means none, so any integer is valid.
absl::Status ReadRunLimits(MapReader& entry, std::chrono::seconds& timeout, int& retries,
                           std::chrono::seconds& retry_delay) {
  RETURN_IF_ERROR(entry.Seconds("timeout", &timeout, std::numeric_limits<int64_t>::min()));
  RETURN_IF_ERROR(entry.Int("retries", &retries, 0, kNoLimit));
  return entry.Seconds("retry_delay", &retry_delay, 0);
}

// The checks every source shares (runtime::Validate), worded with the key path and line.
absl::Status CheckTask(MapReader& entry, const runtime::TaskDef& def) {
  std::optional<runtime::InvalidField> bad = runtime::FindInvalidField(def);
  if (!bad) return absl::OkStatus();
  return entry.Error(bad->field, bad->reason);
}

absl::StatusOr<runtime::TaskDef> ReadApp(MapReader& entry) {
  runtime::TaskDef app;
  RETURN_IF_ERROR(ReadProcessSpec(entry, app.spec));
  process::RestartPolicy restart;
  RETURN_IF_ERROR(entry.Bool("auto_restart", &restart.auto_restart));
  RETURN_IF_ERROR(entry.Seconds("start_secs", &restart.start_secs, 0));
  RETURN_IF_ERROR(entry.Int("max_restarts", &restart.max_restarts, 0, kNoLimit));
  RETURN_IF_ERROR(entry.Seconds("backoff_max", &restart.backoff_max, 1));
  app.id = runtime::TaskId::Named(runtime::TaskKind::kApp, app.spec.name);
  app.policy = restart;
  return app;
}

// The one parse of `concurrency` from text: "'x' is not allowed (expected one of forbid, ...".
absl::StatusOr<Concurrency> ReadConcurrency(MapReader& entry) {
  std::string text = "forbid";
  RETURN_IF_ERROR(entry.OneOf("concurrency", &text, {"forbid", "allow", "replace"}));
  ASSIGN_OR_RETURN(Concurrency c, runtime::ParseConcurrency(text));
  return c;
}

absl::StatusOr<runtime::TaskDef> ReadJob(MapReader& entry) {
  runtime::TaskDef job;
  RETURN_IF_ERROR(ReadProcessSpec(entry, job.spec));
  std::string spec;
  RETURN_IF_ERROR(entry.String("spec", &spec));
  RETURN_IF_ERROR(Require(entry, "spec", spec, "a cron spec such as '*/5 * * * *'"));
  // A bad spec is rejected where it is entered (SPEC.md section 4), here with its key path;
  // the parsed schedule is what runs (never parsed again).
  absl::StatusOr<sched::CronSchedule> schedule = sched::CronSchedule::Parse(spec);
  if (!schedule.ok()) return entry.Error("spec", schedule.status().message());
  runtime::JobPolicy policy{*std::move(schedule)};
  ASSIGN_OR_RETURN(policy.concurrency, ReadConcurrency(entry));
  RETURN_IF_ERROR(
      entry.Int("max_concurrent", &policy.max_concurrent, 1, runtime::kMaxConcurrentLimit));
  RETURN_IF_ERROR(
      ReadRunLimits(entry, policy.run.timeout, policy.run.retries, policy.run.retry_delay));
  job.id = runtime::TaskId::Named(runtime::TaskKind::kJob, job.spec.name);
  job.policy = std::move(policy);
  return job;
}

absl::StatusOr<runtime::TaskDef> ReadTiming(MapReader& entry) {
  runtime::TaskDef timing;
  RETURN_IF_ERROR(ReadProcessSpec(entry, timing.spec));
  std::string text;
  RETURN_IF_ERROR(entry.String("time", &text));
  RETURN_IF_ERROR(
      Require(entry, "time", text, "an RFC 3339 time such as 2026-11-25T10:30:00+08:00"));
  absl::StatusOr<absl::Time> time = sched::ParseRfc3339(text);
  if (!time.ok()) return entry.Error("time", time.status().message());
  runtime::TimingPolicy policy;
  policy.time = absl::ToChronoTime(*time);
  RETURN_IF_ERROR(
      ReadRunLimits(entry, policy.run.timeout, policy.run.retries, policy.run.retry_delay));
  RETURN_IF_ERROR(entry.Seconds("grace", &policy.grace, 0));
  timing.id = runtime::TaskId::Named(runtime::TaskKind::kTiming, timing.spec.name);
  timing.policy = policy;
  return timing;
}

// Reads the list under `key` with `read` into `tasks`, refusing a name already used in the
// same list.
template <typename ReadFn>
absl::Status ReadList(MapReader& root, const char* key, runtime::TaskSet& tasks, ReadFn read) {
  ASSIGN_OR_RETURN(std::vector<MapReader> entries, root.MapList(key));
  std::map<std::string, size_t> first_index;
  for (size_t i = 0; i < entries.size(); ++i) {
    ASSIGN_OR_RETURN(runtime::TaskDef task, read(entries[i]));
    const auto [first, inserted] = first_index.emplace(task.spec.name, i);
    if (!inserted) {
      return entries[i].Error("name", absl::StrCat("duplicate name '", task.spec.name,
                                                   "' (first at ", key, "[", first->second, "])"));
    }
    RETURN_IF_ERROR(CheckTask(entries[i], task));
    RETURN_IF_ERROR(tasks.Add(std::move(task)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ReadTaskLists(MapReader& root, Config& config) {
  RETURN_IF_ERROR(ReadList(root, "app", config.tasks, ReadApp));
  RETURN_IF_ERROR(ReadList(root, "cron", config.tasks, ReadJob));
  return ReadList(root, "timing", config.tasks, ReadTiming);
}

}  // namespace asgard::config::internal
