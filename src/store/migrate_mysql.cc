// File: migrate_mysql.cc
// MySQL migration steps: adding what a table lacks (information_schema tells what is there, so
// a step can be re-run), and the one-time conversion of an original database's local times.
// Table and column names here come from schema.h constants or from information_schema rows
// checked against them, never from users.
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
  ASSIGN_OR_RETURN(auto rows, conn.Query("SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS "
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
  ASSIGN_OR_RETURN(auto rows, conn.Query("SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS "
                                         "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?",
                                         {t}));
  std::set<std::string> names;
  for (const SqlRow& row : rows) names.insert(RowReader(row).Str());
  return names;
}

absl::Status Alter(SqlConn& conn, const std::string& table, const std::vector<std::string>& parts) {
  if (parts.empty()) return absl::OkStatus();
  return conn.Exec(absl::StrCat("ALTER TABLE `", table, "` ", absl::StrJoin(parts, ", ")))
      .status();
}

absl::Status AddUniqueKeys(SqlConn& conn, const TableUpgrade& u, const std::set<std::string>& have) {
  for (const IndexDef& index : u.indexes) {
    if (!index.unique || have.contains(index.name)) continue;
    if (!index.prepare.empty()) RETURN_IF_ERROR(conn.Exec(index.prepare).status());
    absl::Status s = Alter(conn, u.table, {absl::StrCat("ADD ", index.ddl)});
    if (!s.ok()) {
      return absl::Status(s.code(), absl::StrCat("adding ", index.ddl, " to ", u.table,
                                                 " failed (remove the duplicate rows first): ",
                                                 s.message()));
    }
  }
  return absl::OkStatus();
}

absl::CivilSecond ToCivil(const std::string& text) {
  std::optional<absl::Time> t = ParseSqlTime(text);
  return absl::ToCivilSecond(t.value_or(absl::UnixEpoch()), absl::UTCTimeZone());
}

std::string CivilText(absl::CivilSecond c) {
  return absl::StrFormat("%04d-%02d-%02d %02d:%02d:%02d", c.year(), c.month(), c.day(), c.hour(),
                         c.minute(), c.second());
}

int OffsetAt(absl::TimeZone zone, absl::CivilSecond local) {
  return zone.At(zone.At(local).pre).offset;
}

// "CASE WHEN c < ? THEN TIMESTAMPADD(SECOND, ?, c) ... ELSE ... END" over the UTC offsets that
// `zone` had between the local times `lo` and `hi`; a time in a skipped or repeated hour takes
// the offset from before the transition.
std::string OffsetCase(absl::TimeZone zone, absl::CivilSecond lo, absl::CivilSecond hi,
                       const std::string& col, SqlParams* params) {
  std::string sql = "CASE";
  int offset = OffsetAt(zone, lo);
  absl::Time cursor = zone.At(lo).pre;
  absl::TimeZone::CivilTransition tr;
  for (int i = 0; i < 10000 && zone.NextTransition(cursor, &tr); ++i) {
    absl::CivilSecond boundary = std::max(tr.from, tr.to);
    if (boundary > hi) break;
    absl::StrAppend(&sql, " WHEN ", col, " < ? THEN TIMESTAMPADD(SECOND, ?, ", col, ")");
    params->push_back(CivilText(boundary));
    params->push_back(-offset);
    offset = OffsetAt(zone, boundary);
    cursor = zone.At(boundary).pre;
  }
  absl::StrAppend(&sql, " ELSE TIMESTAMPADD(SECOND, ?, ", col, ") END");
  params->push_back(-offset);
  return sql;
}

absl::Status ConvertColumn(SqlConn& conn, absl::TimeZone zone, const std::string& table,
                           const std::string& column) {
  std::string col = absl::StrCat("`", column, "`");
  std::string valid = absl::StrCat(col, " > '1000-01-01'");  // zero dates stay as they are
  ASSIGN_OR_RETURN(SqlRow range, conn.QueryRow(absl::StrCat("SELECT MIN(", col, "), MAX(", col,
                                                            ") FROM `", table, "` WHERE ", valid),
                                               {}));
  if (!range[0].has_value()) return absl::OkStatus();  // no rows
  SqlParams params;
  std::string value = OffsetCase(zone, ToCivil(*range[0]), ToCivil(*range[1]), col, &params);
  return conn
      .Exec(absl::StrCat("UPDATE `", table, "` SET ", col, " = ", value, " WHERE ", valid), params)
      .status();
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
    if (columns[w.column] == w.from_data_type) parts.push_back(absl::StrCat("MODIFY COLUMN ", w.ddl));
  }
  for (const IndexDef& index : u.indexes) {
    if (!index.unique && !indexes.contains(index.name)) parts.push_back(absl::StrCat("ADD ", index.ddl));
  }
  RETURN_IF_ERROR(Alter(conn, u.table, parts));
  for (const ColumnDef* c : added) {
    if (!c->backfill.empty()) RETURN_IF_ERROR(conn.Exec(c->backfill).status());
  }
  return AddUniqueKeys(conn, u, indexes);
}

absl::Status ConvertLocalTimesToUtc(SqlConn& conn, absl::TimeZone zone) {
  ASSIGN_OR_RETURN(auto rows, conn.Query("SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS "
                                         "WHERE TABLE_SCHEMA = DATABASE() AND DATA_TYPE = 'datetime' "
                                         "ORDER BY TABLE_NAME, ORDINAL_POSITION"));
  for (const SqlRow& row : rows) {
    RowReader r(row);
    std::string table = r.Str();
    std::string column = r.Str();
    bool plain = std::all_of(column.begin(), column.end(),
                             [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
    if (!IsOriginalTable(table) || !plain) continue;
    RETURN_IF_ERROR(ConvertColumn(conn, zone, table, column));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> MonitorTables(SqlConn& conn) {
  std::string sql = conn.backend() == Backend::kSqlite
                        ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE ?"
                        : "SELECT TABLE_NAME FROM information_schema.TABLES "
                          "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE ?";
  ASSIGN_OR_RETURN(auto rows, conn.Query(sql, {"monitors%"}));
  std::vector<std::string> names;
  for (const SqlRow& row : rows) {
    std::string name = RowReader(row).Str();
    if (ParseMonitorTableName(name)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace asgard::store
