// File: schema_checks.cc
#include "store/schema_checks.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/signal.h"
#include "common/status_macros.h"
#include "runtime/concurrency.h"
#include "runtime/task_state.h"

namespace asgard::store {
namespace {

std::vector<std::string> SignalNames() {
  std::vector<std::string> names;
  for (int n = 1; n <= Signal::kMax; ++n) names.push_back(Signal::FromNumber(n)->Name());
  return names;
}

absl::StatusOr<std::string> CanonicalSignal(const std::string& text) {
  ASSIGN_OR_RETURN(Signal signal, Signal::Parse(text));
  return signal.Name();
}

absl::StatusOr<std::string> CanonicalConcurrency(const std::string& text) {
  ASSIGN_OR_RETURN(runtime::Concurrency c, runtime::ParseConcurrency(text));
  return std::string(runtime::ConcurrencyName(c));
}

// "" (never observed), "unknown" (the agent is offline) and the states an agent reports.
std::vector<std::string> StateNames() {
  std::vector<std::string> names = {std::string(runtime::kStateNeverSeen),
                                    std::string(runtime::kStateUnknown)};
  for (std::string_view name : runtime::kTaskStateNames) names.emplace_back(name);
  return names;
}

absl::StatusOr<std::string> CanonicalState(const std::string& text) {
  for (const std::string& name : StateNames()) {
    if (text == name) return text;
  }
  return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a state"));
}

std::string QuotedList(const std::vector<std::string>& values) {
  return absl::StrCat("'", absl::StrJoin(values, "', '"), "'");
}

std::string CheckName(const CheckedColumn& c) {
  return absl::StrCat(c.table, "_", c.column, "_check");
}

// The written form of each text the column holds, or an error naming the first row whose
// text parses as nothing.
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Rewrites(SqlConn& conn,
                                                                        const CheckedColumn& c) {
  ASSIGN_OR_RETURN(auto rows, conn.Query(absl::StrCat("SELECT DISTINCT `", c.column, "` FROM `",
                                                      c.table, "`"),
                                         {}));
  std::vector<std::pair<std::string, std::string>> rewrites;
  for (const SqlRow& row : rows) {
    std::string text = RowReader(row).Str();
    absl::StatusOr<std::string> canonical = c.canonical(text);
    if (!canonical.ok()) {
      ASSIGN_OR_RETURN(int64_t id, conn.QueryInt(absl::StrCat("SELECT MIN(id) FROM `", c.table,
                                                              "` WHERE `", c.column, "` = ?"),
                                                 {text}));
      return absl::FailedPreconditionError(absl::StrCat(
          c.table, " id ", id, ": ", c.column, " ", canonical.status().message(),
          "; set it to one of ", QuotedList(c.allowed), " and start again"));
    }
    if (*canonical != text) rewrites.emplace_back(std::move(text), *std::move(canonical));
  }
  return rewrites;
}

absl::Status Rewrite(SqlConn& conn, const CheckedColumn& c,
                     const std::vector<std::pair<std::string, std::string>>& rewrites) {
  for (const auto& [from, to] : rewrites) {
    RETURN_IF_ERROR(conn.Exec(absl::StrCat("UPDATE `", c.table, "` SET `", c.column,
                                           "` = ? WHERE `", c.column, "` = ?"),
                              {to, from})
                        .status());
  }
  return absl::OkStatus();
}

absl::Status AddSqliteTriggers(SqlConn& conn, const CheckedColumn& c) {
  const std::string test = absl::StrCat("NEW.`", c.column, "` NOT IN (", QuotedList(c.allowed),
                                        ")");
  const std::string abort = absl::StrCat("BEGIN SELECT RAISE(ABORT, '", c.table, ".", c.column,
                                         ": not one of the values Asgard writes'); END");
  return conn.ExecScript(absl::StrCat(
      "CREATE TRIGGER IF NOT EXISTS ", CheckName(c), "_insert BEFORE INSERT ON `", c.table,
      "` WHEN ", test, " ", abort, ";\n", "CREATE TRIGGER IF NOT EXISTS ", CheckName(c),
      "_update BEFORE UPDATE OF `", c.column, "` ON `", c.table, "` WHEN ", test, " ", abort,
      ";"));
}

absl::Status AddMysqlCheck(SqlConn& conn, const CheckedColumn& c) {
  ASSIGN_OR_RETURN(int64_t present,
                   conn.QueryInt("SELECT COUNT(*) FROM information_schema.TABLE_CONSTRAINTS "
                                 "WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ? AND "
                                 "CONSTRAINT_NAME = ?",
                                 {c.table, CheckName(c)}));
  if (present > 0) return absl::OkStatus();
  return conn.ExecScript(absl::StrCat("ALTER TABLE `", c.table, "` ADD CONSTRAINT `",
                                      CheckName(c), "` CHECK (`", c.column, "` IN (",
                                      QuotedList(c.allowed), "))"));
}

}  // namespace

const std::vector<CheckedColumn>& CheckedColumns() {
  static const std::vector<CheckedColumn> columns = [] {
    std::vector<CheckedColumn> v;
    for (const char* table : {"apps", "jobs", "timings"}) {
      v.push_back({table, "stop_signal", SignalNames(), &CanonicalSignal});
      v.push_back({table, "state", StateNames(), &CanonicalState});
    }
    v.push_back({"jobs", "concurrency", {"forbid", "allow", "replace"}, &CanonicalConcurrency});
    return v;
  }();
  return columns;
}

absl::Status AddColumnChecks(SqlConn& conn) {
  // Every column is read before any is written: on MySQL, where DDL is not transactional, a
  // refused migration leaves the database as it was.
  std::vector<std::vector<std::pair<std::string, std::string>>> rewrites;
  for (const CheckedColumn& c : CheckedColumns()) {
    ASSIGN_OR_RETURN(rewrites.emplace_back(), Rewrites(conn, c));
  }
  for (size_t i = 0; i < CheckedColumns().size(); ++i) {
    const CheckedColumn& c = CheckedColumns()[i];
    RETURN_IF_ERROR(Rewrite(conn, c, rewrites[i]));
    RETURN_IF_ERROR(conn.backend() == Backend::kSqlite ? AddSqliteTriggers(conn, c)
                                                       : AddMysqlCheck(conn, c));
  }
  return absl::OkStatus();
}

}  // namespace asgard::store
