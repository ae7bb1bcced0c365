#include "web/task_json.h"

#include <algorithm>
#include <array>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "config/value_parsers.h"
#include "process/argv.h"
#include "process/process_spec.h"
#include "sched/cron_schedule.h"
#include "sched/time_format.h"
#include "web/body_fields.h"
#include "web/field_limits.h"

namespace asgard::web {
namespace {

// Reads body[field] into `out` when present, within the field's limit (field_limits.h).
absl::Status ReadString(const Json& body, const char* field, std::string* out) {
  ASSIGN_OR_RETURN(std::optional<std::string> text,
                   OptionalText(body, field, TaskFieldLimit(field)));
  if (text) *out = std::move(*text);
  return absl::OkStatus();
}

absl::Status ReadInt(const Json& body, const char* field, int64_t min, int64_t max,
                     int64_t* out) {
  ASSIGN_OR_RETURN(std::optional<int64_t> v, OptionalInt(body, field, min, max));
  if (v) *out = *v;
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
  if (it->size() > kMaxEnvVariables) {
    return FieldError("env", absl::StrCat("at most ", kMaxEnvVariables, " variables (got ",
                                          it->size(), ")"));
  }
  std::map<std::string, std::string> env;
  for (const auto& [k, v] : it->items()) {
    RETURN_IF_ERROR(CheckText("env name", k, kMaxEnvNameBytes));
    if (k.empty() || k.find('=') != std::string::npos) {
      return FieldError("env", absl::StrCat("'", k, "' is not a variable name"));
    }
    if (!v.is_string()) return FieldError("env", absl::StrCat(k, ": must be a string"));
    RETURN_IF_ERROR(
        CheckText(absl::StrCat("env ", k), v.get_ref<const std::string&>(), kMaxEnvJsonBytes));
    env[k] = v.get<std::string>();
  }
  // The whole map as the store keeps it (JSON text, escapes and all).
  if (const size_t stored = Json(env).dump().size(); stored > kMaxEnvJsonBytes) {
    return FieldError("env", absl::StrCat("at most ", kMaxEnvJsonBytes,
                                          " bytes in all, as JSON (got ", stored, ")"));
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

const char* TypeWord(int type) {
  switch (type) {
    case 1:
      return "agent";
    case 2:
      return "app";
    case 3:
      return "job";
    case 4:
      return "timing";
    case 5:
      return "group";
    case 6:
      return "user";
  }
  return "?";
}

std::string TimeText(absl::Time t, absl::TimeZone zone) {
  return sched::FormatIso8601(t, zone);
}

namespace {

// A task and the texts made for its JSON object.
struct TaskText {
  const store::Task& t;
  const TaskNames& names;
  std::string created_at, updated_at, last_exit_at;
  std::string when;  // a timing's time, a job's next run ("" none)
};

constexpr unsigned kApp = 1 << static_cast<int>(store::TaskKind::kApp);
constexpr unsigned kJob = 1 << static_cast<int>(store::TaskKind::kJob);
constexpr unsigned kTiming = 1 << static_cast<int>(store::TaskKind::kTiming);
constexpr unsigned kAll = kApp | kJob | kTiming;

// One member of a task's JSON object: its key as JSON text with the colon, the kinds that
// have it, and how its value is written.
struct Member {
  std::string key;
  unsigned kinds;
  void (*write)(JsonWriter& w, const TaskText& x);
};

Member M(std::string_view key, unsigned kinds, void (*write)(JsonWriter&, const TaskText&)) {
  std::string quoted;
  JsonWriter::AppendQuoted(&quoted, key);
  quoted.push_back(':');
  return {std::move(quoted), kinds, write};
}

void OptionalText(JsonWriter& w, bool present, const std::string& text) {
  if (present) {
    w.String(text);
  } else {
    w.Null();
  }
}

// Every member, in key order: nlohmann::json (a std::map) prints objects so, and the text is
// the same bytes TaskToJson printed when it built a tree.
const std::vector<Member>& Members() {
  using W = JsonWriter;
  using X = TaskText;
  static const std::vector<Member> members = [] {
    std::vector<Member> m = {
        M("id", kAll, [](W& w, const X& x) { w.Int(x.t.id); }),
        M("name", kAll, [](W& w, const X& x) { w.String(x.t.input.name); }),
        M("group_id", kAll, [](W& w, const X& x) { w.Int(x.t.input.group_id); }),
        M("group_name", kAll, [](W& w, const X& x) { w.String(x.names.group_name); }),
        M("agent_id", kAll, [](W& w, const X& x) { w.Int(x.t.input.agent_id); }),
        M("agent_name", kAll, [](W& w, const X& x) { w.String(x.names.agent_name); }),
        M("dir", kAll, [](W& w, const X& x) { w.String(x.t.input.dir); }),
        M("program", kAll, [](W& w, const X& x) { w.String(x.t.input.program); }),
        M("args", kAll, [](W& w, const X& x) { w.String(x.t.input.args); }),
        M("std_out", kAll, [](W& w, const X& x) { w.String(x.t.input.std_out); }),
        M("std_err", kAll, [](W& w, const X& x) { w.String(x.t.input.std_err); }),
        M("is_monitor", kAll, [](W& w, const X& x) { w.Int(x.t.input.is_monitor ? 1 : 0); }),
        M("user", kAll, [](W& w, const X& x) { w.String(x.t.input.user); }),
        M("env", kAll,
          [](W& w, const X& x) {
            w.BeginObject();
            for (const auto& [name, value] : x.t.input.env) {
              w.Key(name);
              w.String(value);
            }
            w.EndObject();
          }),
        M("stop_signal", kAll, [](W& w, const X& x) { w.String(x.t.input.stop_signal.Name()); }),
        M("stop_timeout", kAll, [](W& w, const X& x) { w.Int(x.t.input.stop_timeout); }),
        M("max_bytes", kAll, [](W& w, const X& x) { w.Int(x.t.input.max_bytes); }),
        M("backups", kAll, [](W& w, const X& x) { w.Int(x.t.input.backups); }),
        M("status", kAll, [](W& w, const X& x) { w.Int(x.t.status); }),
        M("desired", kAll, [](W& w, const X& x) { w.Int(static_cast<int>(x.t.desired)); }),
        M("state", kAll,
          [](W& w, const X& x) {
            w.String(x.t.observed.state.empty() ? "unknown" : x.t.observed.state);
          }),
        M("pid", kAll, [](W& w, const X& x) { w.Int(x.t.observed.pid); }),
        M("restarts", kAll, [](W& w, const X& x) { w.Int(x.t.observed.restarts); }),
        M("last_exit_status", kAll,
          [](W& w, const X& x) {
            if (x.t.observed.last_exit_status) {
              w.Int(*x.t.observed.last_exit_status);
            } else {
              w.Null();
            }
          }),
        M("last_exit_signal", kAll,
          [](W& w, const X& x) { w.String(x.t.observed.last_exit_signal); }),
        M("last_exit_at", kAll,
          [](W& w, const X& x) {
            OptionalText(w, x.t.observed.last_exit_at.has_value(), x.last_exit_at);
          }),
        M("creator", kAll, [](W& w, const X& x) { w.Int(x.t.creator); }),
        M("updator", kAll, [](W& w, const X& x) { w.Int(x.t.updator); }),
        M("created_at", kAll, [](W& w, const X& x) { w.String(x.created_at); }),
        M("updated_at", kAll, [](W& w, const X& x) { w.String(x.updated_at); }),
        M("auto_restart", kApp, [](W& w, const X& x) { w.Int(x.t.input.auto_restart ? 1 : 0); }),
        M("start_secs", kApp, [](W& w, const X& x) { w.Int(x.t.input.start_secs); }),
        M("max_restarts", kApp, [](W& w, const X& x) { w.Int(x.t.input.max_restarts); }),
        M("backoff_max", kApp, [](W& w, const X& x) { w.Int(x.t.input.backoff_max); }),
        M("spec", kJob, [](W& w, const X& x) { w.String(x.t.input.spec); }),
        M("concurrency", kJob, [](W& w, const X& x) { w.String(runtime::ConcurrencyName(x.t.input.concurrency)); }),
        M("max_concurrent", kJob, [](W& w, const X& x) { w.Int(x.t.input.max_concurrent); }),
        M("imported_root", kAll, [](W& w, const X& x) { w.Int(x.t.imported_root ? 1 : 0); }),
        M("next_run_at", kJob, [](W& w, const X& x) { OptionalText(w, !x.when.empty(), x.when); }),
        M("time", kTiming, [](W& w, const X& x) { w.String(x.when); }),
        M("grace", kTiming, [](W& w, const X& x) { w.Int(x.t.input.grace); }),
        M("timeout", kJob | kTiming, [](W& w, const X& x) { w.Int(x.t.input.timeout); }),
        M("retries", kJob | kTiming, [](W& w, const X& x) { w.Int(x.t.input.retries); }),
        M("retry_delay", kJob | kTiming, [](W& w, const X& x) { w.Int(x.t.input.retry_delay); }),
    };
    std::sort(m.begin(), m.end(), [](const Member& a, const Member& b) { return a.key < b.key; });
    return m;
  }();
  return members;
}

}  // namespace

void WriteTaskJson(JsonWriter& w, const store::Task& t, const TaskNames& names,
                   absl::TimeZone zone, std::optional<absl::Time> next_run) {
  TaskText x{t, names, TimeText(t.created_at, zone), TimeText(t.updated_at, zone), "", ""};
  if (t.observed.last_exit_at) x.last_exit_at = TimeText(*t.observed.last_exit_at, zone);
  if (t.kind == store::TaskKind::kTiming) x.when = TimeText(t.input.time, zone);
  if (t.kind == store::TaskKind::kJob && next_run) x.when = TimeText(*next_run, zone);
  const unsigned kind = 1u << static_cast<int>(t.kind);
  w.BeginObject();
  for (const Member& m : Members()) {
    if ((m.kinds & kind) == 0) continue;
    w.QuotedKey(m.key);
    m.write(w, x);
  }
  w.EndObject();
}

Json TaskToJson(const store::Task& t, const TaskNames& names, absl::TimeZone zone,
                std::optional<absl::Time> next_run) {
  std::string text;
  JsonWriter w(&text);
  WriteTaskJson(w, t, names, zone, next_run);
  return Json::parse(text);
}

namespace {

absl::Status ReadRunAs(const Json& body, const store::RunAsRights& rights, std::string* user) {
  std::string wanted = *user;
  RETURN_IF_ERROR(ReadString(body, "user", &wanted));
  if (store::MayRunAs(rights, wanted)) {
    if (!wanted.empty()) RETURN_IF_ERROR(store::CheckAccountName(wanted, "user"));
    *user = wanted;
    return absl::OkStatus();
  }
  if (wanted != *user) {
    std::string granted = rights.allowed.empty()
                              ? ""
                              : absl::StrCat(" or as ", store::JoinRunAsList(rights.allowed));
    return absl::PermissionDeniedError(absl::StrCat(
        "user: your tasks run as your own identity on the agent", granted,
        "; only administrators choose other accounts (they can grant you some)"));
  }
  user->clear();  // an account someone with more rights set: not kept by this write
  return absl::OkStatus();
}

}  // namespace

std::string RunAsNote(const std::string& before, const std::string& after) {
  if (before.empty() || !after.empty()) return "";
  return absl::StrCat("it no longer runs as '", before,
                      "' (an administrator chose that account; your changes run as your own "
                      "identity on the agent)");
}

absl::StatusOr<runtime::Concurrency> ParseConcurrency(const std::string& text) {
  auto concurrency = runtime::ParseConcurrency(text);
  if (!concurrency.ok()) return FieldError("concurrency", std::string(concurrency.status().message()));
  return *concurrency;
}

absl::StatusOr<GroupChoice> ChooseGroup(int64_t requested, int64_t current,
                                        const absl::StatusOr<store::Group>& group) {
  if (requested == 0) return GroupChoice{};
  const bool deleted = group.ok() && group->status == -1;
  if (group.ok() && !deleted) return GroupChoice{requested, ""};
  // The console sends the whole form back: a task must stay editable after its group went.
  if (deleted && requested == current) {
    return GroupChoice{0, absl::StrCat("group ", requested,
                                       " was deleted: the task is now without a group")};
  }
  return absl::InvalidArgumentError(absl::StrCat("group_id: no group ", requested));
}

absl::StatusOr<store::TaskInput> ParseTaskInput(store::TaskKind kind, const Json& body,
                                                store::TaskInput in,
                                                const store::RunAsRights& rights) {
  if (!body.is_object()) return absl::InvalidArgumentError("body: must be a JSON object");
  RETURN_IF_ERROR(ReadString(body, "name", &in.name));
  if (in.name.empty()) return FieldError("name", "is required");
  RETURN_IF_ERROR(ReadIntAs(body, "group_id", 0, kMaxId, &in.group_id));  // 0: no group
  RETURN_IF_ERROR(ReadIntAs(body, "agent_id", 1, kMaxId, &in.agent_id));
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
  RETURN_IF_ERROR(ReadRunAs(body, rights, &in.user));
  RETURN_IF_ERROR(ReadEnv(body, &in.env));
  std::string stop_signal = in.stop_signal.Name();
  RETURN_IF_ERROR(ReadString(body, "stop_signal", &stop_signal));
  absl::StatusOr<Signal> signal = Signal::Parse(stop_signal);
  if (!signal.ok()) return FieldError("stop_signal", std::string(signal.status().message()));
  in.stop_signal = *signal;
  RETURN_IF_ERROR(ReadIntAs(body, "stop_timeout", 0, 86400, &in.stop_timeout));
  RETURN_IF_ERROR(ReadIntAs(body, "max_bytes", 0, INT64_MAX, &in.max_bytes));
  if (in.max_bytes != 0 && in.max_bytes < process::kMinRotateBytes) {
    return FieldError("max_bytes", absl::StrCat(in.max_bytes,
                                                " is out of range: 0 (never "
                                                "rotate) or ",
                                                process::kMinRotateBytes, " (1MB) and more"));
  }
  RETURN_IF_ERROR(ReadIntAs(body, "backups", 0, process::kMaxBackups, &in.backups));
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
      std::string concurrency = runtime::ConcurrencyName(in.concurrency);
      RETURN_IF_ERROR(ReadString(body, "concurrency", &concurrency));
      ASSIGN_OR_RETURN(in.concurrency, ParseConcurrency(concurrency));
      RETURN_IF_ERROR(ReadIntAs(body, "timeout", -1, 30 * 86400, &in.timeout));
      RETURN_IF_ERROR(ReadIntAs(body, "retries", 0, 100, &in.retries));
      RETURN_IF_ERROR(ReadIntAs(body, "retry_delay", 0, 86400, &in.retry_delay));
      RETURN_IF_ERROR(ReadIntAs(body, "max_concurrent", 1, 1000, &in.max_concurrent));
      break;
    }
    case store::TaskKind::kTiming: {
      auto it = body.find("time");
      if (it != body.end() && !it->is_null()) {
        if (!it->is_string()) return FieldError("time", "must be an RFC 3339 string");
        RETURN_IF_ERROR(CheckText("time", it->get_ref<const std::string&>(), kMaxTimeTextBytes));
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
