// File: schema_checks.h
// The text columns that hold a typed value (a stop signal, a concurrency, an observed state),
// with every text the value may be written as, and the migration that makes the database
// refuse any other text (migration 6): a row written by hand or by another tool cannot give
// an agent a value nobody parses. MySQL/MariaDB: a named CHECK constraint per column
// (MariaDB and MySQL 8.0.16+ enforce it; older MySQL parses and ignores it, and the store's
// read then names the bad row: task_sql.h). SQLite cannot add a CHECK to a table in place:
// triggers before INSERT and before UPDATE of the column abort the statement instead.
// Before the checks go on, existing values are rewritten to their one written form
// ("SIGTERM" or "15" -> "TERM", as stored by earlier versions); a value that parses as
// nothing stops the migration with an error naming the table, row and value, and nothing
// is changed.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "store/sql.h"

namespace asgard::store {

struct CheckedColumn {
  std::string table;
  std::string column;
  std::vector<std::string> allowed;  // every text the column may hold
  // The one written form of a text an earlier version may have stored, or an error.
  absl::StatusOr<std::string> (*canonical)(const std::string& text);
};

// apps/jobs/timings.stop_signal, jobs.concurrency, apps/jobs/timings.state.
const std::vector<CheckedColumn>& CheckedColumns();

// Migration 6 on either backend; idempotent (a check already there is kept).
absl::Status AddColumnChecks(SqlConn& conn);

}  // namespace asgard::store
