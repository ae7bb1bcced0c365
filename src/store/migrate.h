// File: migrate.h
// Versioned migrations, recorded in `schema_version`, applied on open under a lock (MySQL
// GET_LOCK('asgard_migrate', 30); SQLite BEGIN IMMEDIATE), so that a second process opening
// at the same time waits and then finds nothing to do. Idempotent: each step checks what is
// already there, so a step interrupted half-way is completed by the next open.
//
//   1 original tables   MySQL: the original's schema (CREATE TABLE IF NOT EXISTS: an original
//                       database keeps its tables). SQLite: the whole current schema.
//   2 local times->UTC  MySQL: every DATETIME of the original's tables (and monitors_YYYYMM)
//                       converted from OpenOptions::legacy_zone to UTC, in one transaction with
//                       its schema_version row, so it never runs twice. SQLite: nothing.
//   3 asgard schema     MySQL: missing columns, widened types and keys (schema.h). SQLite: -.
//   4 admin account     `admin` / 123456 (argon2id, must_change_password) unless a user
//                       called admin exists (an original database keeps its admin).
//   5 security columns  users.run_as, agents.key_hash, apps/jobs/timings.imported_root (set
//                       on MySQL for rows of an original database that a non-administrator
//                       created), jobs.max_concurrent, jobs.spec widened to 255 (schema.h
//                       SecurityUpgrades).
//   6 checked columns   stop_signal, concurrency and the observed state hold only the text
//                       Asgard writes: values rewritten to their one form, then a CHECK
//                       (MySQL) or triggers (SQLite) refuse any other (schema_checks.h).
//   7 web sessions      web_sessions (the console's sessions by token hash, shared by every
//                       web node) and settings (the generated session secret): new tables,
//                       CREATE TABLE IF NOT EXISTS on both backends.
//
//   RETURN_IF_ERROR(Migrate(conn, {.legacy_zone = absl::LocalTimeZone(), .now = absl::Now()}));
#pragma once

#include <set>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/schema.h"
#include "store/sql.h"

namespace asgard::store {

inline constexpr int kSchemaVersion = 7;

struct MigrateOptions {
  absl::TimeZone legacy_zone;
  absl::Time now;
};

absl::Status Migrate(SqlConn& conn, const MigrateOptions& options);

// Versions recorded in schema_version.
absl::StatusOr<std::set<int>> AppliedVersions(SqlConn& conn);

// MySQL steps, in migrate_mysql.cc.
// Migration 2 (utc_convert.cc): converts, then calls `record` in the same transaction.
absl::Status ConvertOriginalTimesToUtc(SqlConn& conn, absl::TimeZone zone,
                                       absl::FunctionRef<absl::Status()> record);
absl::Status ApplyUpgrade(SqlConn& conn, const TableUpgrade& upgrade);
// Names of the monitors_YYYYMM tables present, oldest first (both backends).
absl::StatusOr<std::vector<std::string>> MonitorTables(SqlConn& conn);

}  // namespace asgard::store
