// File: report_writer.h
// How SqlStore::InsertReport writes agents' reports (internal to the store). The reports that wait
// for the writer at the same moment are written together: one transaction, so one commit, and
// their rows in shared multi-row INSERTs, instead of a transaction and a few statements per
// report. A master under load receives reports from many agents at once; each then costs a
// share of a commit and of a statement rather than its own.
//
//   internal::ReportToWrite mine{&archives, &exceptions, &monitors};
//   internal::WriteReports(conn, {&mine, &theirs});   // under the store's writer lock
//   if (mine.status.ok()) use(mine.inserted, mine.fresh);
//
// Each report is still stored exactly once: rows are ignored when their (uuid, seq) is already
// stored, and a report's result says which of its archives and exceptions are new, as when it
// is written alone. A batch whose transaction fails is written again report by report, each in
// its own transaction, so that one report the database refuses does not fail the others.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/records.h"
#include "store/sql.h"

namespace asgard::store::internal {

// One report and, once written, its results. The vectors belong to the caller.
struct ReportToWrite {
  const std::vector<ArchiveRecord>* archives = nullptr;
  const std::vector<ExceptionRecord>* exceptions = nullptr;
  const std::vector<MonitorSample>* monitors = nullptr;

  bool written = false;  // the results below are final (set by WriteReports)
  bool done = false;     // set by the SqlStore, under its queue lock, after `written`
  absl::Status status;
  int inserted = 0;      // records not stored before
  FreshRecords fresh;    // which archives and exceptions were not stored before
};

// The monitors_YYYYMM tables that the samples of `batch` go to.
std::set<std::string> MonitorTablesOf(const std::vector<ReportToWrite*>& batch);

// Writes every report of `batch` (their monitor tables must exist) and sets their results. On
// the writer connection, outside any transaction.
void WriteReports(SqlConn& conn, const std::vector<ReportToWrite*>& batch);

// Inserts the samples not stored before into `table` (which must exist), in a few multi-row
// statements; returns how many were new. Inside a transaction of the caller's.
absl::StatusOr<int64_t> InsertMonitorRows(SqlConn& conn, const std::string& table,
                                          const std::vector<MonitorSample>& samples);

}  // namespace asgard::store::internal
