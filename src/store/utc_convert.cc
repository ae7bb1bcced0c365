// File: utc_convert.cc
// Migration 2 on MySQL: an original Asgard wrote every DATETIME in its local time; convert them
// once to UTC, in one transaction together with the schema_version row that records it. Each
// value takes the UTC offset that `zone` had at that local time (so daylight-saving periods are
// right; a time in a skipped or repeated hour takes the offset from before the transition).
// Monitor samples whose UTC month differs from their table's month move to the right table.
#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status_macros.h"
#include "store/migrate.h"
#include "store/monitor_tables.h"

namespace asgard::store {
namespace {

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
  std::string sql;
  int offset = OffsetAt(zone, lo);
  absl::Time cursor = zone.At(lo).pre;
  absl::TimeZone::CivilTransition tr;
  for (int i = 0; i < 10000 && zone.NextTransition(cursor, &tr); ++i) {
    absl::CivilSecond boundary = std::max(tr.from, tr.to);
    if (boundary > hi) break;
    absl::StrAppend(&sql, sql.empty() ? "CASE" : "", " WHEN ", col,
                    " < ? THEN TIMESTAMPADD(SECOND, ?, ", col, ")");
    params->push_back(CivilText(boundary));
    params->push_back(-offset);
    offset = OffsetAt(zone, boundary);
    cursor = zone.At(boundary).pre;
  }
  params->push_back(-offset);
  if (sql.empty()) return absl::StrCat("TIMESTAMPADD(SECOND, ?, ", col, ")");  // one offset
  return absl::StrCat(sql, " ELSE TIMESTAMPADD(SECOND, ?, ", col, ") END");
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

absl::Status ConvertColumns(SqlConn& conn, absl::TimeZone zone) {
  ASSIGN_OR_RETURN(auto rows,
                   conn.Query("SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS "
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

std::string MonthStart(absl::CivilMonth m) { return CivilText(absl::CivilSecond(m)); }

// Moves the samples of `table` that belong to the month before or after it.
absl::Status MoveMisplacedSamples(SqlConn& conn, const std::string& table) {
  absl::CivilMonth month = *ParseMonitorTableName(table);
  constexpr char kColumns[] = "type, related_id, uuid, pid, cpu, memory, created_at";
  for (absl::CivilMonth other : {month - 1, month + 1}) {
    SqlParams range = {MonthStart(other), MonthStart(other + 1)};
    RETURN_IF_ERROR(conn.Exec(absl::StrCat("INSERT INTO ", MonitorTableName(other), " (", kColumns,
                                           ") SELECT ", kColumns, " FROM ", table,
                                           " WHERE created_at >= ? AND created_at < ? ORDER BY id"),
                              range)
                        .status());
    RETURN_IF_ERROR(
        conn.Exec(absl::StrCat("DELETE FROM ", table, " WHERE created_at >= ? AND created_at < ?"),
                  range)
            .status());
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ConvertOriginalTimesToUtc(SqlConn& conn, absl::TimeZone zone,
                                       absl::FunctionRef<absl::Status()> record) {
  ASSIGN_OR_RETURN(std::vector<std::string> tables, MonitorTables(conn));
  // Neighbour months' tables must exist before the transaction (DDL commits on MySQL); the
  // ones that stay empty are dropped again afterwards.
  std::set<std::string> existing(tables.begin(), tables.end()), created;
  for (const std::string& table : tables) {
    absl::CivilMonth month = *ParseMonitorTableName(table);
    for (absl::CivilMonth other : {month - 1, month + 1}) {
      std::string name = MonitorTableName(other);
      if (existing.contains(name) || created.contains(name)) continue;
      RETURN_IF_ERROR(conn.ExecScript(MysqlOriginalMonitorTableDdl(name)));
      created.insert(name);
    }
  }
  RETURN_IF_ERROR(InTransaction(conn, [&]() -> absl::Status {
    RETURN_IF_ERROR(ConvertColumns(conn, zone));
    for (const std::string& table : tables) RETURN_IF_ERROR(MoveMisplacedSamples(conn, table));
    return record();
  }));
  for (const std::string& name : created) {
    ASSIGN_OR_RETURN(int64_t n, conn.QueryInt(absl::StrCat("SELECT COUNT(*) FROM ", name), {}));
    if (n == 0) RETURN_IF_ERROR(conn.ExecScript(absl::StrCat("DROP TABLE ", name)));
  }
  return absl::OkStatus();
}

}  // namespace asgard::store
