// File: store_reports.cc
// Reports from agents, each stored once by its (uuid, seq), and the monthly monitor tables.
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/migrate.h"
#include "store/monitor_tables.h"
#include "store/report_writer.h"
#include "store/schema.h"
#include "store/sql_store.h"

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

}  // namespace

absl::StatusOr<int> SqlStore::InsertArchives(const std::vector<ArchiveRecord>& batch) {
  for (const ArchiveRecord& a : batch) RETURN_IF_ERROR(RequireIdentity(a.uuid, "archive"));
  WriteLock lock(this);
  return InsertEach<ArchiveRecord>(
      *conn_, batch,
      absl::StrCat("INSERT INTO archives (type, related_id, uuid, seq, pid, begin_time, end_time, "
                   "status, `signal`, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   IgnoreDuplicateClause(backend_)),
      &ArchiveParams);
}

absl::StatusOr<int> SqlStore::InsertExceptions(const std::vector<ExceptionRecord>& batch) {
  for (const ExceptionRecord& e : batch) RETURN_IF_ERROR(RequireIdentity(e.uuid, "exception"));
  WriteLock lock(this);
  return InsertEach<ExceptionRecord>(
      *conn_, batch,
      absl::StrCat("INSERT INTO exceptions (type, related_id, uuid, seq, `desc`, created_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   IgnoreDuplicateClause(backend_)),
      &ExceptionParams);
}

absl::StatusOr<int> SqlStore::InsertReport(const std::vector<ArchiveRecord>& archives,
                                           const std::vector<ExceptionRecord>& exceptions,
                                           const std::vector<MonitorSample>& monitors,
                                           FreshRecords* fresh) {
  for (const ArchiveRecord& a : archives) RETURN_IF_ERROR(RequireIdentity(a.uuid, "archive"));
  for (const ExceptionRecord& e : exceptions) RETURN_IF_ERROR(RequireIdentity(e.uuid, "exception"));
  for (const MonitorSample& m : monitors) RETURN_IF_ERROR(RequireIdentity(m.uuid, "monitor sample"));
  internal::ReportToWrite mine;
  mine.archives = &archives;
  mine.exceptions = &exceptions;
  mine.monitors = &monitors;
  // Whoever takes a free report connection next writes every report queued by then
  // (report_writer.h). So this call either writes a batch (its own report in it, or others'
  // while another call writes this one), or sleeps until the call that took its report is
  // done. Only as many calls as there are free connections wake up to write: with a hundred
  // reports waiting, the others would only queue on the connections and sleep again.
  struct Waiting {
    SqlStore* store;
    const internal::ReportToWrite* mine;
  } waiting{this, &mine};
  queue_mu_.Lock();
  queued_reports_.push_back(&mine);
  for (;;) {
    queue_mu_.Await(absl::Condition(
        +[](Waiting* w) ABSL_NO_THREAD_SAFETY_ANALYSIS {
          return w->mine->done ||
                 (!w->store->queued_reports_.empty() && w->store->free_report_writers_ > 0);
        },
        &waiting));
    if (mine.done) break;
    --free_report_writers_;
    queue_mu_.Unlock();
    WriteQueuedReports();  // gives the connection back (free_report_writers_)
    queue_mu_.Lock();
  }
  queue_mu_.Unlock();
  if (!mine.status.ok()) return mine.status;
  if (fresh != nullptr) *fresh = std::move(mine.fresh);
  return mine.inserted;
}

std::vector<internal::ReportToWrite*> SqlStore::TakeQueuedReports() {
  // A bound on one transaction, so that the reports behind it wait tens of ms, not seconds,
  // and so that a backlog is shared by the report connections.
  constexpr size_t kMaxRecordsPerTransaction = 4096;
  std::vector<internal::ReportToWrite*> batch;
  size_t records = 0;
  absl::MutexLock lock(&queue_mu_);
  while (!queued_reports_.empty() && (batch.empty() || records < kMaxRecordsPerTransaction)) {
    internal::ReportToWrite* r = queued_reports_.front();
    queued_reports_.pop_front();
    records += r->archives->size() + r->exceptions->size() + r->monitors->size();
    batch.push_back(r);
  }
  return batch;
}

void SqlStore::WriteQueuedReports() {
  std::vector<internal::ReportToWrite*> taken;
  if (report_writers_ == nullptr) {  // SQLite: one writer for everything
    WriteLock lock(this);
    taken = WriteQueuedReportsOn(*conn_);
  } else {
    ConnPool::Lease lease = report_writers_->Acquire();
    taken = WriteQueuedReportsOn(*lease);
    writes_.fetch_add(1, std::memory_order_release);  // as WriteLock counts the writer's
  }
  absl::MutexLock lock(&queue_mu_);
  for (internal::ReportToWrite* r : taken) r->done = true;
  ++free_report_writers_;
}

std::vector<internal::ReportToWrite*> SqlStore::WriteQueuedReportsOn(SqlConn& c) {
  std::vector<internal::ReportToWrite*> taken = TakeQueuedReports();
  std::vector<internal::ReportToWrite*> batch;
  for (internal::ReportToWrite* r : taken) {
    if (absl::Status s = CreateMonitorTablesOf(c, r); s.ok()) {
      batch.push_back(r);
    } else {
      r->status = s;  // a report whose month has no table and cannot get one fails alone
    }
  }
  if (!batch.empty()) internal::WriteReports(c, batch);
  for (internal::ReportToWrite* r : batch) {
    if (r->status.ok()) continue;
    // A table dropped by another process? The next report creates it again.
    absl::MutexLock lock(&tables_mu_);
    for (const std::string& table : internal::MonitorTablesOf({r})) {
      known_monitor_tables_.erase(table);
    }
  }
  return taken;
}

absl::Status SqlStore::CreateMonitorTablesOf(SqlConn& c, internal::ReportToWrite* report) {
  for (const std::string& table : internal::MonitorTablesOf({report})) {
    RETURN_IF_ERROR(CreateMonitorTableOnce(c, table));
  }
  return absl::OkStatus();
}

absl::Status SqlStore::CreateMonitorTableOnce(SqlConn& c, const std::string& table) {
  {
    absl::MutexLock lock(&tables_mu_);
    if (known_monitor_tables_.count(table)) return absl::OkStatus();
  }
  // Outside any transaction: DDL commits implicitly on MySQL. Two connections may create the
  // same table at once: IF NOT EXISTS.
  RETURN_IF_ERROR(CreateMonitorTable(c, table));
  absl::MutexLock lock(&tables_mu_);
  known_monitor_tables_.insert(table);
  return absl::OkStatus();
}

absl::StatusOr<int> SqlStore::InsertMonitors(const std::vector<MonitorSample>& batch) {
  std::map<std::string, std::vector<MonitorSample>> by_table;
  for (const MonitorSample& m : batch) {
    RETURN_IF_ERROR(RequireIdentity(m.uuid, "monitor sample"));
    by_table[MonitorTableName(m.created_at)].push_back(m);
  }
  WriteLock lock(this);
  int inserted = 0;
  for (const auto& [table, samples] : by_table) {
    RETURN_IF_ERROR(CreateMonitorTableOnce(*conn_, table));
    int64_t rows = 0;
    absl::Status n = InTransaction(*conn_, [&]() -> absl::Status {
      ASSIGN_OR_RETURN(rows, internal::InsertMonitorRows(*conn_, table, samples));
      return absl::OkStatus();
    });
    if (!n.ok()) {
      absl::MutexLock tables(&tables_mu_);
      known_monitor_tables_.erase(table);  // dropped elsewhere? the next report recreates it
      return n;
    }
    inserted += static_cast<int>(rows);
  }
  return inserted;
}

absl::Status SqlStore::EnsureMonitorTables(absl::Time now) {
  WriteLock lock(this);
  absl::CivilMonth month = UtcMonth(now);
  RETURN_IF_ERROR(CreateMonitorTable(*conn_, MonitorTableName(month)));
  return CreateMonitorTable(*conn_, MonitorTableName(month + 1));
}

absl::StatusOr<std::vector<MonitorSample>> SqlStore::QueryMonitors(int type, int64_t related_id,
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

absl::StatusOr<std::vector<std::string>> SqlStore::DropMonitorTablesOlderThan(int months_to_keep,
                                                                              absl::Time now) {
  std::vector<std::string> dropped;
  if (months_to_keep < 1) return dropped;
  absl::CivilMonth oldest_kept = UtcMonth(now) - (months_to_keep - 1);
  WriteLock lock(this);
  ASSIGN_OR_RETURN(std::vector<std::string> tables, MonitorTables(*conn_));
  for (const std::string& table : tables) {
    if (*ParseMonitorTableName(table) >= oldest_kept) continue;
    RETURN_IF_ERROR(conn_->ExecScript(absl::StrCat("DROP TABLE IF EXISTS ", table)));
    absl::MutexLock tables(&tables_mu_);
    known_monitor_tables_.erase(table);
    dropped.push_back(table);
  }
  return dropped;
}

absl::StatusOr<std::vector<std::string>> SqlStore::ListMonitorTables() {
  return Read([&](SqlConn& c) { return MonitorTables(c); });
}

}  // namespace asgard::store
