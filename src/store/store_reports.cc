// File: store_reports.cc
// Reports from agents, each stored once by its (uuid, seq), and the monthly monitor tables.
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/migrate.h"
#include "store/monitor_tables.h"
#include "store/schema.h"
#include "store/store.h"

namespace asgard::store {
namespace {

constexpr int kMaxQueryRows = 100000;

absl::Status RequireIdentity(const std::string& uuid, const char* what) {
  if (!uuid.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(what, " without a uuid cannot be deduplicated"));
}

absl::Status CreateMonitorTable(SqlConn& c, const std::string& table) {
  return c.ExecScript(c.backend() == Backend::kSqlite ? SqliteMonitorTableDdl(table)
                                                      : MysqlMonitorTableDdl(table));
}

// Inserts each row with `sql` (ending in the ignore-duplicate clause); returns how many were new.
template <typename T>
absl::StatusOr<int> InsertEach(SqlConn& c, const std::vector<T>& batch, const std::string& sql,
                               SqlParams (*params)(const T&)) {
  int inserted = 0;
  RETURN_IF_ERROR(InTransaction(c, [&]() -> absl::Status {
    inserted = 0;
    for (const T& record : batch) {
      ASSIGN_OR_RETURN(ExecResult r, c.Exec(sql, params(record)));
      inserted += r.affected > 0 ? 1 : 0;
    }
    return absl::OkStatus();
  }));
  return inserted;
}

SqlParams ArchiveParams(const ArchiveRecord& a) {
  return {a.type,       a.related_id, a.uuid,   a.seq,    a.pid,
          a.begin_time, a.end_time,   a.status, a.signal, a.created_at};
}

SqlParams ExceptionParams(const ExceptionRecord& e) {
  return {e.type, e.related_id, e.uuid, e.seq, e.desc, e.created_at};
}

SqlParams MonitorParams(const MonitorSample& m) {
  return {m.type, m.related_id, m.uuid, m.seq, m.pid, m.cpu, m.memory, m.threads, m.created_at};
}

MonitorSample ReadMonitor(const SqlRow& row) {
  RowReader r(row);
  MonitorSample m;
  m.type = static_cast<int>(r.Int());
  m.related_id = r.Int();
  m.uuid = r.Str();
  m.seq = r.Int();
  m.pid = r.Int();
  m.cpu = r.Double();
  m.memory = r.Double();
  m.threads = static_cast<int>(r.Int());
  m.created_at = r.Time();
  return m;
}

// Samples arrive by the hundred per report: one multi-row INSERT per chunk (one round trip to
// MySQL instead of one per row), in one transaction.
// Inside a transaction of the caller's.
absl::StatusOr<int> InsertMonitorChunks(SqlConn& c, const std::string& table,
                                        const std::vector<MonitorSample>& samples) {
  constexpr size_t kRowsPerStatement = 500;  // 9 parameters each, far below either limit
  int inserted = 0;
  for (size_t start = 0; start < samples.size(); start += kRowsPerStatement) {
      size_t end = std::min(samples.size(), start + kRowsPerStatement);
      std::string sql = absl::StrCat("INSERT INTO ", table,
                                     " (type, related_id, uuid, seq, pid, cpu, memory, threads, "
                                     "created_at) VALUES ");
      SqlParams params;
      params.reserve((end - start) * 9);
      for (size_t i = start; i < end; ++i) {
        absl::StrAppend(&sql, i == start ? "" : ", ", "(?, ?, ?, ?, ?, ?, ?, ?, ?)");
        for (SqlParam& p : MonitorParams(samples[i])) params.push_back(std::move(p));
      }
      absl::StrAppend(&sql, IgnoreDuplicateClause(c.backend()));
      ASSIGN_OR_RETURN(ExecResult r, c.Exec(sql, params));
      inserted += static_cast<int>(r.affected);
  }
  return inserted;
}

absl::StatusOr<int> InsertMonitorRows(SqlConn& c, const std::string& table,
                                      const std::vector<MonitorSample>& samples) {
  int inserted = 0;
  RETURN_IF_ERROR(InTransaction(c, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(inserted, InsertMonitorChunks(c, table, samples));
    return absl::OkStatus();
  }));
  return inserted;
}

}  // namespace

absl::StatusOr<int> Store::InsertArchives(const std::vector<ArchiveRecord>& batch) {
  for (const ArchiveRecord& a : batch) RETURN_IF_ERROR(RequireIdentity(a.uuid, "archive"));
  WriteLock lock(this);
  return InsertEach<ArchiveRecord>(
      *conn_, batch,
      absl::StrCat("INSERT INTO archives (type, related_id, uuid, seq, pid, begin_time, end_time, "
                   "status, `signal`, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   IgnoreDuplicateClause(backend_)),
      &ArchiveParams);
}

absl::StatusOr<int> Store::InsertExceptions(const std::vector<ExceptionRecord>& batch) {
  for (const ExceptionRecord& e : batch) RETURN_IF_ERROR(RequireIdentity(e.uuid, "exception"));
  WriteLock lock(this);
  return InsertEach<ExceptionRecord>(
      *conn_, batch,
      absl::StrCat("INSERT INTO exceptions (type, related_id, uuid, seq, `desc`, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   IgnoreDuplicateClause(backend_)),
      &ExceptionParams);
}

absl::StatusOr<int> Store::InsertReport(const std::vector<ArchiveRecord>& archives,
                                        const std::vector<ExceptionRecord>& exceptions,
                                        const std::vector<MonitorSample>& monitors,
                                        FreshRecords* fresh) {
  for (const ArchiveRecord& a : archives) RETURN_IF_ERROR(RequireIdentity(a.uuid, "archive"));
  for (const ExceptionRecord& e : exceptions) RETURN_IF_ERROR(RequireIdentity(e.uuid, "exception"));
  std::map<std::string, std::vector<MonitorSample>> by_table;
  for (const MonitorSample& m : monitors) {
    RETURN_IF_ERROR(RequireIdentity(m.uuid, "monitor sample"));
    by_table[MonitorTableName(m.created_at)].push_back(m);
  }
  WriteLock lock(this);
  SqlConn& c = *conn_;
  for (const auto& [table, samples] : by_table) {
    if (known_monitor_tables_.count(table)) continue;
    RETURN_IF_ERROR(CreateMonitorTable(c, table));  // DDL commits on MySQL: not in the transaction
    known_monitor_tables_.insert(table);
  }
  const std::string archive_sql = absl::StrCat(
      "INSERT INTO archives (type, related_id, uuid, seq, pid, begin_time, end_time, status, "
      "`signal`, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      IgnoreDuplicateClause(backend_));
  const std::string exception_sql = absl::StrCat(
      "INSERT INTO exceptions (type, related_id, uuid, seq, `desc`, created_at) "
      "VALUES (?, ?, ?, ?, ?, ?)",
      IgnoreDuplicateClause(backend_));
  int inserted = 0;
  FreshRecords found;
  // One transaction for the whole report: one commit (one fsync) instead of three.
  absl::Status s = InTransaction(c, [&]() -> absl::Status {
    inserted = 0;
    found = {};
    for (size_t i = 0; i < archives.size(); ++i) {
      ASSIGN_OR_RETURN(ExecResult r, c.Exec(archive_sql, ArchiveParams(archives[i])));
      if (r.affected > 0) found.archives.push_back(i);
    }
    for (size_t i = 0; i < exceptions.size(); ++i) {
      ASSIGN_OR_RETURN(ExecResult r, c.Exec(exception_sql, ExceptionParams(exceptions[i])));
      if (r.affected > 0) found.exceptions.push_back(i);
    }
    inserted = static_cast<int>(found.archives.size() + found.exceptions.size());
    for (const auto& [table, samples] : by_table) {
      ASSIGN_OR_RETURN(int n, InsertMonitorChunks(c, table, samples));
      inserted += n;
    }
    return absl::OkStatus();
  });
  if (!s.ok()) {
    for (const auto& [table, samples] : by_table) known_monitor_tables_.erase(table);
    return s;
  }
  if (fresh != nullptr) *fresh = std::move(found);
  return inserted;
}

absl::StatusOr<int> Store::InsertMonitors(const std::vector<MonitorSample>& batch) {
  std::map<std::string, std::vector<MonitorSample>> by_table;
  for (const MonitorSample& m : batch) {
    RETURN_IF_ERROR(RequireIdentity(m.uuid, "monitor sample"));
    by_table[MonitorTableName(m.created_at)].push_back(m);
  }
  WriteLock lock(this);
  int inserted = 0;
  for (const auto& [table, samples] : by_table) {
    if (!known_monitor_tables_.count(table)) {
      // Outside the transaction: DDL commits implicitly on MySQL.
      RETURN_IF_ERROR(CreateMonitorTable(*conn_, table));
      known_monitor_tables_.insert(table);
    }
    auto n = InsertMonitorRows(*conn_, table, samples);
    if (!n.ok()) {
      known_monitor_tables_.erase(table);  // dropped elsewhere? the next report recreates it
      return n.status();
    }
    inserted += *n;
  }
  return inserted;
}

absl::Status Store::EnsureMonitorTables(absl::Time now) {
  WriteLock lock(this);
  absl::CivilMonth month = UtcMonth(now);
  RETURN_IF_ERROR(CreateMonitorTable(*conn_, MonitorTableName(month)));
  return CreateMonitorTable(*conn_, MonitorTableName(month + 1));
}

absl::StatusOr<std::vector<MonitorSample>> Store::QueryMonitors(int type, int64_t related_id,
                                                                absl::Time from, absl::Time to,
                                                                int limit) {
  limit = std::clamp(limit, 1, kMaxQueryRows);
  absl::CivilMonth first = UtcMonth(from);
  absl::CivilMonth last = UtcMonth(to - absl::Seconds(1));
  return Read([&](SqlConn& c) -> absl::StatusOr<std::vector<MonitorSample>> {
    ASSIGN_OR_RETURN(std::vector<std::string> tables, MonitorTables(c));
    std::vector<MonitorSample> newest_first;
    // Newest month first, so that `limit` keeps the newest samples.
    for (auto it = tables.rbegin(); it != tables.rend(); ++it) {
      absl::CivilMonth month = *ParseMonitorTableName(*it);
      if (month < first || month > last) continue;
      int remaining = limit - static_cast<int>(newest_first.size());
      if (remaining <= 0) break;
      ASSIGN_OR_RETURN(auto rows,
                       c.Query(absl::StrCat("SELECT type, related_id, uuid, seq, pid, cpu, "
                                            "memory, threads, created_at FROM ",
                                            *it,
                                            " WHERE type = ? AND related_id = ? AND "
                                            "created_at >= ? AND created_at < ? "
                                            "ORDER BY created_at DESC, id DESC LIMIT ?"),
                               {type, related_id, from, to, remaining}));
      for (const SqlRow& row : rows) newest_first.push_back(ReadMonitor(row));
    }
    return std::vector<MonitorSample>(newest_first.rbegin(), newest_first.rend());
  });
}

absl::StatusOr<std::vector<std::string>> Store::DropMonitorTablesOlderThan(int months_to_keep,
                                                                           absl::Time now) {
  std::vector<std::string> dropped;
  if (months_to_keep < 1) return dropped;
  absl::CivilMonth oldest_kept = UtcMonth(now) - (months_to_keep - 1);
  WriteLock lock(this);
  ASSIGN_OR_RETURN(std::vector<std::string> tables, MonitorTables(*conn_));
  for (const std::string& table : tables) {
    if (*ParseMonitorTableName(table) >= oldest_kept) continue;
    RETURN_IF_ERROR(conn_->ExecScript(absl::StrCat("DROP TABLE IF EXISTS ", table)));
    known_monitor_tables_.erase(table);
    dropped.push_back(table);
  }
  return dropped;
}

absl::StatusOr<std::vector<std::string>> Store::ListMonitorTables() {
  return Read([&](SqlConn& c) { return MonitorTables(c); });
}

}  // namespace asgard::store
