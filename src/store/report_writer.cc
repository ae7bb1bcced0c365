// File: report_writer.cc
#include "store/report_writer.h"

#include <algorithm>
#include <bit>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/monitor_tables.h"

namespace asgard::store::internal {
namespace {

// Rows per statement: powers of two up to this, so that every count is written with a few
// statement texts (each one prepared once and cached) rather than one text per count.
constexpr size_t kMaxRowsPerStatement = 512;

constexpr char kArchiveHead[] =
    "INSERT INTO archives (type, related_id, uuid, seq, pid, begin_time, end_time, status, "
    "`signal`, created_at) VALUES ";
constexpr int kArchiveColumns = 10;
constexpr char kExceptionHead[] =
    "INSERT INTO exceptions (type, related_id, uuid, seq, `desc`, created_at) VALUES ";
constexpr int kExceptionColumns = 6;
constexpr int kMonitorColumns = 9;

std::string MonitorHead(const std::string& table) {
  return absl::StrCat("INSERT INTO ", table,
                      " (type, related_id, uuid, seq, pid, cpu, memory, threads, created_at) "
                      "VALUES ");
}

template <typename... Values>
void Append(SqlParams* params, Values&&... values) {
  (params->emplace_back(std::forward<Values>(values)), ...);
}

void ArchiveParams(const ArchiveRecord& a, SqlParams* p) {
  Append(p, a.type, a.related_id, a.uuid, a.seq, a.pid, a.begin_time, a.end_time, a.status,
         a.signal, a.created_at);
}

void ExceptionParams(const ExceptionRecord& e, SqlParams* p) {
  Append(p, e.type, e.related_id, e.uuid, e.seq, e.desc, e.created_at);
}

void MonitorParams(const MonitorSample& m, SqlParams* p) {
  Append(p, m.type, m.related_id, m.uuid, m.seq, m.pid, m.cpu, m.memory, m.threads,
         m.created_at);
}

// Inserts `rows` after `head` ("INSERT INTO t (columns) VALUES "), ignoring each row whose
// unique key is stored already; returns how many rows were inserted.
template <typename Row>
absl::StatusOr<int64_t> InsertRows(SqlConn& c, std::string_view head, int columns,
                                   const std::vector<const Row*>& rows,
                                   void (*params)(const Row&, SqlParams*)) {
  std::string group = "(?";
  for (int i = 1; i < columns; ++i) group += ", ?";
  group += ")";
  int64_t inserted = 0;
  for (size_t at = 0; at < rows.size();) {
    const size_t n = std::bit_floor(std::min(rows.size() - at, kMaxRowsPerStatement));
    std::string sql(head);
    sql.reserve(head.size() + n * (group.size() + 2) + 40);
    SqlParams p;
    p.reserve(n * columns);
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) sql += ", ";
      sql += group;
      params(*rows[at + i], &p);
    }
    sql += IgnoreDuplicateClause(c.backend());
    ASSIGN_OR_RETURN(ExecResult r, c.Exec(sql, p));
    inserted += r.affected;
    at += n;
  }
  return inserted;
}

template <typename T>
std::vector<const T*> Pointers(const std::vector<T>& records) {
  std::vector<const T*> out;
  out.reserve(records.size());
  for (const T& r : records) out.push_back(&r);
  return out;
}

// Samples by the table of their month.
using SamplesByTable = std::map<std::string, std::vector<const MonitorSample*>>;

void AddSamples(const std::vector<MonitorSample>& samples, SamplesByTable* by_table) {
  for (const MonitorSample& m : samples) (*by_table)[MonitorTableName(m.created_at)].push_back(&m);
}

// Every row of `batch` in shared statements, all of them new. A statement that inserts fewer
// rows than it has met rows stored before, and which ones belong to which report is what
// WriteEach finds out: the call then fails with `*duplicates` set, for the caller to roll back.
absl::Status WriteShared(SqlConn& c, const std::vector<ReportToWrite*>& batch, bool* duplicates) {
  std::vector<const ArchiveRecord*> archives;
  std::vector<const ExceptionRecord*> exceptions;
  SamplesByTable samples;
  for (const ReportToWrite* r : batch) {
    for (const ArchiveRecord& a : *r->archives) archives.push_back(&a);
    for (const ExceptionRecord& e : *r->exceptions) exceptions.push_back(&e);
    AddSamples(*r->monitors, &samples);
  }
  auto all_new = [&](absl::StatusOr<int64_t> inserted, size_t rows) -> absl::Status {
    if (!inserted.ok()) return inserted.status();
    if (static_cast<size_t>(*inserted) == rows) return absl::OkStatus();
    *duplicates = true;
    return absl::AbortedError("rows stored before: written again report by report");
  };
  RETURN_IF_ERROR(all_new(InsertRows(c, kArchiveHead, kArchiveColumns, archives, &ArchiveParams),
                          archives.size()));
  RETURN_IF_ERROR(all_new(
      InsertRows(c, kExceptionHead, kExceptionColumns, exceptions, &ExceptionParams),
      exceptions.size()));
  for (const auto& [table, rows] : samples) {
    RETURN_IF_ERROR(all_new(
        InsertRows(c, MonitorHead(table), kMonitorColumns, rows, &MonitorParams), rows.size()));
  }
  return absl::OkStatus();
}

// After WriteShared: every record of `r` was new.
void SetAllNew(ReportToWrite& r) {
  r.inserted = static_cast<int>(r.archives->size() + r.exceptions->size() + r.monitors->size());
  r.fresh = {};
  for (size_t i = 0; i < r.archives->size(); ++i) r.fresh.archives.push_back(i);
  for (size_t i = 0; i < r.exceptions->size(); ++i) r.fresh.exceptions.push_back(i);
}

// One report, an archive or exception at a time (so that each one's novelty is known), its
// samples in shared statements (only their number matters).
absl::Status WriteEach(SqlConn& c, ReportToWrite& r) {
  r.inserted = 0;
  r.fresh = {};
  for (size_t i = 0; i < r.archives->size(); ++i) {
    ASSIGN_OR_RETURN(int64_t n, InsertRows<ArchiveRecord>(c, kArchiveHead, kArchiveColumns,
                                                          {&(*r.archives)[i]}, &ArchiveParams));
    if (n > 0) r.fresh.archives.push_back(i);
  }
  for (size_t i = 0; i < r.exceptions->size(); ++i) {
    ASSIGN_OR_RETURN(int64_t n,
                     InsertRows<ExceptionRecord>(c, kExceptionHead, kExceptionColumns,
                                                 {&(*r.exceptions)[i]}, &ExceptionParams));
    if (n > 0) r.fresh.exceptions.push_back(i);
  }
  r.inserted = static_cast<int>(r.fresh.archives.size() + r.fresh.exceptions.size());
  SamplesByTable samples;
  AddSamples(*r.monitors, &samples);
  for (const auto& [table, rows] : samples) {
    ASSIGN_OR_RETURN(int64_t n,
                     InsertRows(c, MonitorHead(table), kMonitorColumns, rows, &MonitorParams));
    r.inserted += static_cast<int>(n);
  }
  return absl::OkStatus();
}

void Finish(ReportToWrite& r, absl::Status status) {
  r.status = std::move(status);
  r.written = true;
}

}  // namespace

std::set<std::string> MonitorTablesOf(const std::vector<ReportToWrite*>& batch) {
  std::set<std::string> tables;
  for (const ReportToWrite* r : batch) {
    for (const MonitorSample& m : *r->monitors) tables.insert(MonitorTableName(m.created_at));
  }
  return tables;
}

void WriteReports(SqlConn& c, const std::vector<ReportToWrite*>& batch) {
  // Several connections write reports at once on MySQL: a deadlock between two of them
  // (Aborted) is retried a few times, as the server asks, before the batch is split.
  constexpr int kAttempts = 3;
  bool duplicates = false;
  absl::Status s;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    s = InTransaction(c, [&] { return WriteShared(c, batch, &duplicates); });
    if (!absl::IsAborted(s) || duplicates) break;
  }
  if (s.ok()) {
    for (ReportToWrite* r : batch) {
      SetAllNew(*r);
      Finish(*r, absl::OkStatus());
    }
    return;
  }
  if (duplicates) {  // a report sent again (its ack was lost), or sent twice at once
    s = InTransaction(c, [&]() -> absl::Status {
      for (ReportToWrite* r : batch) RETURN_IF_ERROR(WriteEach(c, *r));
      return absl::OkStatus();
    });
    if (s.ok()) {
      for (ReportToWrite* r : batch) Finish(*r, absl::OkStatus());
      return;
    }
  }
  if (batch.size() == 1) {
    Finish(*batch.front(), s);
    return;
  }
  // The database refused the batch: whatever it was, it fails only the reports it concerns.
  for (ReportToWrite* r : batch) Finish(*r, InTransaction(c, [&] { return WriteEach(c, *r); }));
}

absl::StatusOr<int64_t> InsertMonitorRows(SqlConn& c, const std::string& table,
                                          const std::vector<MonitorSample>& samples) {
  return InsertRows(c, MonitorHead(table), kMonitorColumns, Pointers(samples), &MonitorParams);
}

}  // namespace asgard::store::internal
