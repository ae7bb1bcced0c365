#include "web/task_json.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "config/value_parsers.h"
#include "process/argv.h"
#include "sched/cron_schedule.h"
#include "sched/time_format.h"

namespace asgard::web {
namespace {

constexpr size_t kMaxNameLength = 128;
constexpr size_t kMaxTextLength = 4096;

absl::Status FieldError(const std::string& field, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", why));
}

// Reads body[field] into `out` when present.
absl::Status ReadString(const Json& body, const char* field, std::string* out) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_string()) return FieldError(field, "must be a string");
  if (it->get_ref<const std::string&>().size() > kMaxTextLength) {
    return FieldError(field, absl::StrCat("longer than ", kMaxTextLength, " characters"));
  }
  *out = it->get<std::string>();
  return absl::OkStatus();
}

absl::Status ReadInt(const Json& body, const char* field, int64_t min, int64_t max,
                     int64_t* out) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return absl::OkStatus();
  int64_t v = 0;
  if (it->is_number_integer()) {
    v = it->get<int64_t>();
  } else if (it->is_string()) {
    auto parsed = config::ParseInteger(it->get<std::string>(), min, max);
    if (!parsed.ok()) return FieldError(field, std::string(parsed.status().message()));
    v = *parsed;
  } else {
    return FieldError(field, "must be an integer");
  }
  if (v < min || v > max) {
    return FieldError(field, absl::StrCat(v, " is out of range ", min, "..", max));
  }
  *out = v;
  return absl::OkStatus();
}

template <typename T>
absl::Status ReadIntAs(const Json& body, const char* field, int64_t min, int64_t max, T* out) {
  int64_t v = static_cast<int64_t>(*out);
  RETURN_IF_ERROR(ReadInt(body, field, min, max, &v));
  *out = static_cast<T>(v);
  return absl::OkStatus();
}

absl::Status ReadBool(const Json& body, const char* field, bool* out) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return absl::OkStatus();
  if (it->is_boolean()) {
    *out = it->get<bool>();
  } else if (it->is_number_integer() && (it->get<int64_t>() == 0 || it->get<int64_t>() == 1)) {
    *out = it->get<int64_t>() == 1;
  } else if (it->is_string()) {
    auto b = config::ParseBool(it->get<std::string>());
    if (!b.ok()) return FieldError(field, "must be 0/1 or true/false");
    *out = *b;
  } else {
    return FieldError(field, "must be 0/1 or true/false");
  }
  return absl::OkStatus();
}

absl::Status CheckPath(const char* field, const std::string& path) {
  if (path.empty()) return absl::OkStatus();
  if (path[0] != '/') return FieldError(field, absl::StrCat("'", path, "' is not an absolute path"));
  if (path.find('\0') != std::string::npos) return FieldError(field, "contains a NUL byte");
  return absl::OkStatus();
}

absl::Status ReadEnv(const Json& body, std::map<std::string, std::string>* out) {
  auto it = body.find("env");
  if (it == body.end() || it->is_null()) return absl::OkStatus();
  if (!it->is_object()) return FieldError("env", "must be an object of strings");
  std::map<std::string, std::string> env;
  for (const auto& [k, v] : it->items()) {
    if (k.empty() || k.find('=') != std::string::npos) {
      return FieldError("env", absl::StrCat("'", k, "' is not a variable name"));
    }
    if (!v.is_string()) return FieldError("env", absl::StrCat(k, ": must be a string"));
    env[k] = v.get<std::string>();
  }
  *out = std::move(env);
  return absl::OkStatus();
}

}  // namespace

std::optional<store::TaskKind> KindFromWord(const std::string& word) {
  if (word == "app" || word == "apps") return store::TaskKind::kApp;
  if (word == "job" || word == "jobs") return store::TaskKind::kJob;
  if (word == "timing" || word == "timings") return store::TaskKind::kTiming;
  return std::nullopt;
}

const char* KindWord(store::TaskKind kind) {
  switch (kind) {
    case store::TaskKind::kJob:
      return "job";
    case store::TaskKind::kTiming:
      return "timing";
    default:
      return "app";
  }
}

std::string TimeText(absl::Time t, absl::TimeZone zone) {
  return sched::FormatIso8601(t, zone);
}

Json TaskToJson(const store::Task& t, const TaskNames& names, absl::TimeZone zone) {
  const store::TaskInput& in = t.input;
  Json j = {{"id", t.id},
            {"name", in.name},
            {"group_id", in.group_id},
            {"group_name", names.group_name},
            {"agent_id", in.agent_id},
            {"agent_name", names.agent_name},
            {"dir", in.dir},
            {"program", in.program},
            {"args", in.args},
            {"std_out", in.std_out},
            {"std_err", in.std_err},
            {"is_monitor", in.is_monitor ? 1 : 0},
            {"user", in.user},
            {"env", in.env},
            {"stop_signal", in.stop_signal},
            {"stop_timeout", in.stop_timeout},
            {"max_bytes", in.max_bytes},
            {"backups", in.backups},
            {"status", t.status},
            {"desired", static_cast<int>(t.desired)},
            {"state", t.observed.state.empty() ? "unknown" : t.observed.state},
            {"pid", t.observed.pid},
            {"restarts", t.observed.restarts},
            {"last_exit_status", nullptr},
            {"last_exit_signal", t.observed.last_exit_signal},
            {"last_exit_at", nullptr},
            {"creator", t.creator},
            {"updator", t.updator},
            {"created_at", TimeText(t.created_at, zone)},
            {"updated_at", TimeText(t.updated_at, zone)}};
  if (t.observed.last_exit_status) j["last_exit_status"] = *t.observed.last_exit_status;
  if (t.observed.last_exit_at) j["last_exit_at"] = TimeText(*t.observed.last_exit_at, zone);
  switch (t.kind) {
    case store::TaskKind::kApp:
      j["auto_restart"] = in.auto_restart ? 1 : 0;
      j["start_secs"] = in.start_secs;
      j["max_restarts"] = in.max_restarts;
      j["backoff_max"] = in.backoff_max;
      break;
    case store::TaskKind::kJob: {
      j["spec"] = in.spec;
      j["timeout"] = in.timeout;
      j["concurrency"] = in.concurrency;
      j["retries"] = in.retries;
      j["retry_delay"] = in.retry_delay;
      j["next_run_at"] = nullptr;
      if (t.desired == store::Desired::kRun && t.status != store::kTaskDeleted) {
        if (auto s = sched::CronSchedule::Parse(in.spec); s.ok()) {
          if (auto next = s->Next(absl::Now())) j["next_run_at"] = TimeText(*next, zone);
        }
      }
      break;
    }
    case store::TaskKind::kTiming:
      j["time"] = TimeText(in.time, zone);
      j["timeout"] = in.timeout;
      j["retries"] = in.retries;
      j["retry_delay"] = in.retry_delay;
      j["grace"] = in.grace;
      break;
  }
  return j;
}

absl::StatusOr<store::TaskInput> ParseTaskInput(store::TaskKind kind, const Json& body,
                                                store::TaskInput in, bool may_set_user) {
  if (!body.is_object()) return absl::InvalidArgumentError("body: must be a JSON object");
  RETURN_IF_ERROR(ReadString(body, "name", &in.name));
  if (in.name.empty()) return FieldError("name", "is required");
  if (in.name.size() > kMaxNameLength) {
    return FieldError("name", absl::StrCat("longer than ", kMaxNameLength, " characters"));
  }
  RETURN_IF_ERROR(ReadIntAs(body, "group_id", 0, INT64_MAX, &in.group_id));
  RETURN_IF_ERROR(ReadIntAs(body, "agent_id", 1, INT64_MAX, &in.agent_id));
  if (in.agent_id <= 0) return FieldError("agent_id", "is required");
  RETURN_IF_ERROR(ReadString(body, "dir", &in.dir));
  RETURN_IF_ERROR(CheckPath("dir", in.dir));
  RETURN_IF_ERROR(ReadString(body, "program", &in.program));
  if (in.program.empty()) return FieldError("program", "is required");
  RETURN_IF_ERROR(ReadString(body, "args", &in.args));
  if (auto args = process::SplitArgs(in.args); !args.ok()) {
    return FieldError("args", std::string(args.status().message()));
  }
  RETURN_IF_ERROR(ReadString(body, "std_out", &in.std_out));
  RETURN_IF_ERROR(CheckPath("std_out", in.std_out));
  RETURN_IF_ERROR(ReadString(body, "std_err", &in.std_err));
  RETURN_IF_ERROR(CheckPath("std_err", in.std_err));
  RETURN_IF_ERROR(ReadBool(body, "is_monitor", &in.is_monitor));
  std::string user = in.user;
  RETURN_IF_ERROR(ReadString(body, "user", &user));
  if (user != in.user && !may_set_user) {
    return absl::PermissionDeniedError(
        "user: only administrators choose the user a task runs as; yours run as the agent's "
        "task_user");
  }
  in.user = user;
  RETURN_IF_ERROR(ReadEnv(body, &in.env));
  RETURN_IF_ERROR(ReadString(body, "stop_signal", &in.stop_signal));
  if (auto sig = config::ParseSignal(in.stop_signal); !sig.ok()) {
    return FieldError("stop_signal", std::string(sig.status().message()));
  }
  RETURN_IF_ERROR(ReadIntAs(body, "stop_timeout", 0, 86400, &in.stop_timeout));
  RETURN_IF_ERROR(ReadIntAs(body, "max_bytes", 0, INT64_MAX, &in.max_bytes));
  RETURN_IF_ERROR(ReadIntAs(body, "backups", 0, 1000, &in.backups));
  switch (kind) {
    case store::TaskKind::kApp:
      RETURN_IF_ERROR(ReadBool(body, "auto_restart", &in.auto_restart));
      RETURN_IF_ERROR(ReadIntAs(body, "start_secs", 0, 3600, &in.start_secs));
      RETURN_IF_ERROR(ReadIntAs(body, "max_restarts", 0, 1000000, &in.max_restarts));
      RETURN_IF_ERROR(ReadIntAs(body, "backoff_max", 1, 86400, &in.backoff_max));
      break;
    case store::TaskKind::kJob: {
      RETURN_IF_ERROR(ReadString(body, "spec", &in.spec));
      if (in.spec.empty()) return FieldError("spec", "is required");
      if (auto s = sched::CronSchedule::Parse(in.spec); !s.ok()) {
        return FieldError("spec", std::string(s.status().message()));
      }
      RETURN_IF_ERROR(ReadString(body, "concurrency", &in.concurrency));
      if (in.concurrency != "forbid" && in.concurrency != "allow" && in.concurrency != "replace") {
        return FieldError("concurrency",
                          absl::StrCat("'", in.concurrency, "' is not forbid, allow or replace"));
      }
      RETURN_IF_ERROR(ReadIntAs(body, "timeout", -1, 30 * 86400, &in.timeout));
      RETURN_IF_ERROR(ReadIntAs(body, "retries", 0, 100, &in.retries));
      RETURN_IF_ERROR(ReadIntAs(body, "retry_delay", 0, 86400, &in.retry_delay));
      break;
    }
    case store::TaskKind::kTiming: {
      auto it = body.find("time");
      if (it != body.end() && !it->is_null()) {
        if (!it->is_string()) return FieldError("time", "must be an RFC 3339 string");
        auto t = sched::ParseRfc3339(it->get<std::string>());
        if (!t.ok()) return FieldError("time", std::string(t.status().message()));
        in.time = *t;
      }
      if (in.time <= absl::UnixEpoch()) return FieldError("time", "is required");
      RETURN_IF_ERROR(ReadIntAs(body, "timeout", -1, 30 * 86400, &in.timeout));
      RETURN_IF_ERROR(ReadIntAs(body, "retries", 0, 100, &in.retries));
      RETURN_IF_ERROR(ReadIntAs(body, "retry_delay", 0, 86400, &in.retry_delay));
      RETURN_IF_ERROR(ReadIntAs(body, "grace", 0, 86400, &in.grace));
      break;
    }
  }
  return in;
}

}  // namespace asgard::web
