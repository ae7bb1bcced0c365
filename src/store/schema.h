// File: schema.h
// The DDL of both backends. MySQL reaches the current schema in two steps, so that a database
// of the original Asgard and a new one take the same path: the original's tables as they were
// (migration 1, CREATE TABLE IF NOT EXISTS) and then the superset (migration 3: columns, widened
// types and keys added where missing). SQLite never held an original database and is created in
// its current form at once. scripts/Asgard.sql must equal MySQL's result (a test compares them).
#pragma once

#include <string>
#include <vector>

namespace asgard::store {

struct ColumnDef {
  std::string name;
  std::string ddl;       // "`master` varchar(100) NOT NULL DEFAULT ''"
  std::string backfill;  // run once right after the column was added ("" = none)
};

struct IndexDef {
  std::string name;
  std::string ddl;  // "UNIQUE KEY `uk_ip_port` (`ip`,`port`)"
  bool unique = false;
  std::string prepare;  // run right before the index is added ("" = none)
};

struct WidenDef {
  std::string column;
  std::string from_data_type;  // information_schema DATA_TYPE that needs the change
  std::string ddl;             // the full new column definition
};

struct TableUpgrade {
  std::string table;
  std::vector<ColumnDef> columns;
  std::vector<WidenDef> widen;
  std::vector<IndexDef> indexes;
};

// MySQL migration 1: the original's tables (ORIGINAL.md 8.1), without monitors_YYYYMM.
std::string MysqlOriginalSchema();
// MySQL migration 3: what each fixed table gains.
std::vector<TableUpgrade> MysqlUpgrades();
// What an original monitors_YYYYMM gains (migration 3).
TableUpgrade MysqlMonitorUpgrade(const std::string& table);
// An original monitors_YYYYMM (before migration 3).
std::string MysqlOriginalMonitorTableDdl(const std::string& table);
// A current monitors_YYYYMM; `table` must come from MonitorTableName.
std::string MysqlMonitorTableDdl(const std::string& table);

// Migration 5 (both backends): the columns of the security rules (SPEC 5 and 7): a user's
// run-as allow list, the flag of tasks imported from an original database that a non-administrator
// created (they ran as root there), an agent's key hash, a job's cap on live runs. `mysql`
// selects the DDL dialect; on SQLite the backfills are empty (it never held an original database).
std::vector<TableUpgrade> SecurityUpgrades(bool mysql);

// Migration 7: the web console's sessions (by token hash; web/sessions.h) and the settings
// every node shares (the generated session secret), on MySQL and on SQLite.
std::string MysqlSessionTables();
std::string SqliteSessionTables();

// SQLite: every table in its form of migration 4 (migrations 5 to 7 add to it).
std::string SqliteSchema();
std::string SqliteMonitorTableDdl(const std::string& table);

// The tables whose DATETIME columns an original database holds in local time.
bool IsOriginalTable(const std::string& table);

}  // namespace asgard::store
