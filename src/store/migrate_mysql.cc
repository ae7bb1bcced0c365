// File: migrate_mysql.cc
// MySQL migration 3: adding what a table lacks (information_schema tells what is there, so the
// step can be re-run). Table and column names come from schema.h constants, never from users.
#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "store/migrate.h"
#include "store/monitor_tables.h"

namespace asgard::store {
namespace {

// column name -> information_schema DATA_TYPE
absl::StatusOr<std::map<std::string, std::string>> Columns(SqlConn& conn, const std::string& t) {
  ASSIGN_OR_RETURN(auto rows,
                   conn.Query("SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS "
                              "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
                              {t}));
  std::map<std::string, std::string> columns;
  for (const SqlRow& row : rows) {
    RowReader r(row);
    std::string name = r.Str();
    columns[name] = r.Str();
  }
  return columns;
}

absl::StatusOr<std::set<std::string>> Indexes(SqlConn& conn, const std::string& t) {
  ASSIGN_OR_RETURN(auto rows,
                   conn.Query("SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS "
                              "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
                              {t}));
  std::set<std::string> names;
  for (const SqlRow& row : rows) names.insert(RowReader(row).Str());
  return names;
}

absl::Status Alter(SqlConn& conn, const std::string& table, const std::vector<std::string>& parts) {
  if (parts.empty()) return absl::OkStatus();
  return conn.Exec(absl::StrCat("ALTER TABLE `", table, "` ", absl::StrJoin(parts, ", "))).status();
}

absl::Status AddUniqueKeys(SqlConn& conn, const TableUpgrade& u,
                           const std::set<std::string>& have) {
  for (const IndexDef& index : u.indexes) {
    if (!index.unique || have.contains(index.name)) continue;
    if (!index.prepare.empty()) RETURN_IF_ERROR(conn.Exec(index.prepare).status());
    absl::Status s = Alter(conn, u.table, {absl::StrCat("ADD ", index.ddl)});
    if (!s.ok()) {
      return absl::Status(s.code(),
                          absl::StrCat("adding ", index.ddl, " to ", u.table,
                                       " failed (remove the duplicate rows first): ", s.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyUpgrade(SqlConn& conn, const TableUpgrade& u) {
  ASSIGN_OR_RETURN(auto columns, Columns(conn, u.table));
  if (columns.empty()) return absl::NotFoundError(absl::StrCat("table ", u.table, " is missing"));
  ASSIGN_OR_RETURN(std::set<std::string> indexes, Indexes(conn, u.table));
  std::vector<std::string> parts;
  std::vector<const ColumnDef*> added;
  for (const ColumnDef& c : u.columns) {
    if (columns.contains(c.name)) continue;
    parts.push_back(absl::StrCat("ADD COLUMN ", c.ddl));
    added.push_back(&c);
  }
  for (const WidenDef& w : u.widen) {
    if (columns[w.column] == w.from_data_type)
      parts.push_back(absl::StrCat("MODIFY COLUMN ", w.ddl));
  }
  for (const IndexDef& index : u.indexes) {
    if (!index.unique && !indexes.contains(index.name))
      parts.push_back(absl::StrCat("ADD ", index.ddl));
  }
  RETURN_IF_ERROR(Alter(conn, u.table, parts));
  for (const ColumnDef* c : added) {
    if (!c->backfill.empty()) RETURN_IF_ERROR(conn.Exec(c->backfill).status());
  }
  return AddUniqueKeys(conn, u, indexes);
}

absl::StatusOr<std::vector<std::string>> MonitorTables(SqlConn& conn) {
  // The pattern is written in the SQL, not bound: SQLite recompiles a statement whose LIKE
  // pattern is a parameter every time the parameter is bound again (the pattern may change the
  // plan), which was a fifth of the CPU of the web's monitor route.
  std::string sql = conn.backend() == Backend::kSqlite
                        ? "SELECT name FROM sqlite_master WHERE type = 'table' AND "
                          "name LIKE 'monitors%'"
                        : "SELECT TABLE_NAME FROM information_schema.TABLES "
                          "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'monitors%'";
  ASSIGN_OR_RETURN(auto rows, conn.Query(sql));
  std::vector<std::string> names;
  for (const SqlRow& row : rows) {
    std::string name = RowReader(row).Str();
    if (ParseMonitorTableName(name)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace asgard::store
