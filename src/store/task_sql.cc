// File: task_sql.cc
#include "store/task_sql.h"

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace asgard::store {
namespace {

// One editable column: its name, its bound value and how a read fills TaskInput back (an
// error for a value the column's check should have kept out: see ParseColumn).
struct Field {
  const char* column;
  SqlParam (*get)(const TaskInput&);
  absl::Status (*set)(RowReader&, TaskInput&);
};

#define ASGARD_INT_FIELD(col, m)                                \
  Field {                                                       \
    col, [](const TaskInput& i) -> SqlParam { return i.m; },    \
        [](RowReader& r, TaskInput& i) {                        \
          i.m = static_cast<decltype(i.m)>(r.Int());            \
          return absl::OkStatus();                              \
        }                                                       \
  }
#define ASGARD_STR_FIELD(col, m)                             \
  Field {                                                    \
    col, [](const TaskInput& i) -> SqlParam { return i.m; }, \
        [](RowReader& r, TaskInput& i) {                     \
          i.m = r.Str();                                     \
          return absl::OkStatus();                           \
        }                                                    \
  }

// A typed column's text, parsed once here. The column's check (schema_checks.h) keeps other
// text out, so an error means a database whose server ignores checks (MySQL before 8.0.16)
// and a row written by hand: the read fails naming the column and the text rather than
// guessing a value.
template <typename T, typename Parse>
absl::Status ParseColumn(const char* column, const std::string& text, Parse parse, T* out) {
  auto value = parse(text);
  if (!value.ok()) {
    return absl::DataLossError(absl::StrCat(column, ": ", value.status().message()));
  }
  *out = *value;
  return absl::OkStatus();
}

std::string EnvJson(const TaskInput& in) { return nlohmann::json(in.env).dump(); }

std::map<std::string, std::string> ParseEnv(const std::string& text) {
  std::map<std::string, std::string> env;
  // Most tasks have none (NULL reads as ""): nlohmann formats a whole error message for "".
  if (text.empty() || text == "{}") return env;
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return env;
  for (const auto& [k, v] : j.items()) {
    if (v.is_string()) env[k] = v.get<std::string>();
  }
  return env;
}

const std::vector<Field>& CommonFields() {
  static const std::vector<Field> fields = {
      ASGARD_INT_FIELD("group_id", group_id),
      ASGARD_STR_FIELD("name", name),
      ASGARD_INT_FIELD("agent_id", agent_id),
      ASGARD_STR_FIELD("dir", dir),
      ASGARD_STR_FIELD("program", program),
      ASGARD_STR_FIELD("args", args),
      ASGARD_STR_FIELD("std_out", std_out),
      ASGARD_STR_FIELD("std_err", std_err),
      ASGARD_INT_FIELD("is_monitor", is_monitor),
      ASGARD_STR_FIELD("`user`", user),
      Field{"env", [](const TaskInput& i) -> SqlParam { return EnvJson(i); },
            [](RowReader& r, TaskInput& i) {
              i.env = ParseEnv(r.Str());
              return absl::OkStatus();
            }},
      Field{"stop_signal", [](const TaskInput& i) -> SqlParam { return i.stop_signal.Name(); },
            [](RowReader& r, TaskInput& i) {
              return ParseColumn("stop_signal", r.Str(), &Signal::Parse, &i.stop_signal);
            }},
      ASGARD_INT_FIELD("stop_timeout", stop_timeout),
      ASGARD_INT_FIELD("max_bytes", max_bytes),
      ASGARD_INT_FIELD("backups", backups),
  };
  return fields;
}

std::vector<Field> KindFields(TaskKind kind) {
  std::vector<Field> f = CommonFields();
  Field timeout = ASGARD_INT_FIELD("timeout", timeout);
  Field retries = ASGARD_INT_FIELD("retries", retries);
  Field retry_delay = ASGARD_INT_FIELD("retry_delay", retry_delay);
  switch (kind) {
    case TaskKind::kApp:
      f.insert(f.end(), {ASGARD_INT_FIELD("auto_restart", auto_restart),
                         ASGARD_INT_FIELD("start_secs", start_secs),
                         ASGARD_INT_FIELD("max_restarts", max_restarts),
                         ASGARD_INT_FIELD("backoff_max", backoff_max)});
      break;
    case TaskKind::kJob:
      f.insert(f.end(), {ASGARD_STR_FIELD("spec", spec), timeout,
                         Field{"concurrency",
                               [](const TaskInput& i) -> SqlParam {
                                 return runtime::ConcurrencyName(i.concurrency);
                               },
                               [](RowReader& r, TaskInput& i) {
                                 return ParseColumn("concurrency", r.Str(),
                                                    &runtime::ParseConcurrency, &i.concurrency);
                               }}, retries, retry_delay,
                         ASGARD_INT_FIELD("max_concurrent", max_concurrent)});
      break;
    case TaskKind::kTiming:
      f.insert(f.end(), {Field{"`time`", [](const TaskInput& i) -> SqlParam { return i.time; },
                               [](RowReader& r, TaskInput& i) {
                                 i.time = r.Time();
                                 return absl::OkStatus();
                               }},
                         timeout, retries, retry_delay, ASGARD_INT_FIELD("grace", grace)});
      break;
  }
  return f;
}

const std::vector<Field>& Fields(TaskKind kind) {
  static const std::vector<Field> app = KindFields(TaskKind::kApp);
  static const std::vector<Field> job = KindFields(TaskKind::kJob);
  static const std::vector<Field> timing = KindFields(TaskKind::kTiming);
  return kind == TaskKind::kApp ? app : kind == TaskKind::kJob ? job : timing;
}

// Read after the editable columns, in this order.
constexpr char kTrailingColumns[] =
    "desired, status, state, pid, restarts, last_exit_status, last_exit_signal, last_exit_at, "
    "observed_at, created_at, creator, updated_at, updator, imported_root";

}  // namespace

const char* TaskTable(TaskKind kind) {
  return kind == TaskKind::kApp ? "apps" : kind == TaskKind::kJob ? "jobs" : "timings";
}

const std::vector<std::string>& TaskColumns(TaskKind kind) {
  static const auto make = [](TaskKind k) {
    std::vector<std::string> names;
    for (const Field& f : Fields(k)) names.push_back(f.column);
    return names;
  };
  static const std::vector<std::string> app = make(TaskKind::kApp);
  static const std::vector<std::string> job = make(TaskKind::kJob);
  static const std::vector<std::string> timing = make(TaskKind::kTiming);
  return kind == TaskKind::kApp ? app : kind == TaskKind::kJob ? job : timing;
}

SqlParams TaskParams(TaskKind kind, const TaskInput& input) {
  SqlParams params;
  for (const Field& f : Fields(kind)) params.push_back(f.get(input));
  return params;
}

std::string TaskSelect(TaskKind kind) {
  return absl::StrCat("SELECT id, ", absl::StrJoin(TaskColumns(kind), ", "), ", ", kTrailingColumns,
                      " FROM `", TaskTable(kind), "`");
}

absl::StatusOr<Task> ReadTask(TaskKind kind, const SqlRow& row) {
  RowReader r(row);
  Task t;
  t.kind = kind;
  t.id = r.Int();
  for (const Field& f : Fields(kind)) {
    if (absl::Status s = f.set(r, t.input); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat(TaskTable(kind), " id ", t.id, ": ",
                                                 s.message()));
    }
  }
  t.desired = r.Int() == static_cast<int>(Desired::kRun) ? Desired::kRun : Desired::kPause;
  t.input.desired = t.desired;
  t.status = static_cast<int>(r.Int());
  Observed& o = t.observed;
  o.state = r.Str();
  o.pid = r.Int();
  o.restarts = static_cast<int>(r.Int());
  if (std::optional<int64_t> s = r.OptInt()) o.last_exit_status = static_cast<int>(*s);
  o.last_exit_signal = r.Str();
  o.last_exit_at = r.OptTime();
  o.observed_at = r.OptTime();
  t.created_at = r.Time();
  t.creator = r.Int();
  t.updated_at = r.Time();
  t.updator = r.Int();
  t.imported_root = r.Int() != 0;
  return t;
}

std::string StatusCase(TaskKind kind, DeriveMode mode) {
  bool timing = kind == TaskKind::kTiming;
  return absl::StrCat(
      "CASE WHEN status = -1 THEN -1 WHEN desired = 2 THEN 2",
      timing && mode != DeriveMode::kUser ? " WHEN status = 3 THEN 3" : "",
      timing && mode == DeriveMode::kObserved ? " WHEN state = 'exited' THEN 3" : "",
      " WHEN state IN ('', 'unknown') THEN -2 WHEN state = 'fatal' THEN -3",
      " WHEN state IN ('running', 'starting', 'backoff') THEN 1 ELSE 0 END");
}

}  // namespace asgard::store
