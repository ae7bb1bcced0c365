// File: schema_mysql.cc
// MySQL/MariaDB DDL: the original's tables (migration 1) and what migration 3 adds to them.
// Column types keep the original's spelling (int(11), tinyint(4)) so that information_schema
// shows the same types for an upgraded original database, a new one and scripts/Asgard.sql.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "store/monitor_tables.h"
#include "store/schema.h"

namespace asgard::store {
namespace {

constexpr char kTableOptions[] = ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n";

// Columns every original app, job and timing row has before its kind-specific ones.
std::string TaskHead(const char* table) {
  return absl::StrCat("CREATE TABLE IF NOT EXISTS `", table,
                      "` (\n"
                      "  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,\n"
                      "  `group_id` int(11) NOT NULL DEFAULT 0,\n"
                      "  `name` varchar(1000) NOT NULL DEFAULT '',\n"
                      "  `agent_id` int(11) NOT NULL DEFAULT 0,\n"
                      "  `dir` varchar(2000) NOT NULL DEFAULT '',\n"
                      "  `program` varchar(2000) NOT NULL DEFAULT '',\n"
                      "  `args` varchar(2000) NOT NULL DEFAULT '',\n"
                      "  `std_out` varchar(2000) NOT NULL DEFAULT '',\n"
                      "  `std_err` varchar(2000) NOT NULL DEFAULT '',\n");
}

constexpr char kTaskTail[] =
    "  `is_monitor` tinyint(4) NOT NULL DEFAULT 0,\n"
    "  `status` tinyint(4) NOT NULL DEFAULT 0,\n"
    "  `created_at` datetime NOT NULL,\n"
    "  `creator` int(11) NOT NULL,\n"
    "  `updated_at` datetime NOT NULL,\n"
    "  `updator` int(11) NOT NULL,\n"
    "  PRIMARY KEY (`id`)\n";

std::string OriginalTasks() {
  return absl::StrCat(TaskHead("apps"), "  `auto_restart` tinyint(4) NOT NULL DEFAULT 0,\n",
                      kTaskTail, kTableOptions, TaskHead("jobs"),
                      "  `spec` varchar(50) NOT NULL DEFAULT '0',\n"
                      "  `timeout` int(11) NOT NULL DEFAULT -1,\n",
                      kTaskTail, kTableOptions, TaskHead("timings"),
                      "  `time` datetime NOT NULL,\n"
                      "  `timeout` int(11) NOT NULL DEFAULT -1,\n",
                      kTaskTail, kTableOptions);
}

constexpr char kOriginalOthers[] = R"sql(
CREATE TABLE IF NOT EXISTS `agents` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `alias` varchar(32) NOT NULL DEFAULT '',
  `ip` varchar(100) NOT NULL DEFAULT '',
  `port` varchar(100) NOT NULL DEFAULT '',
  `status` tinyint(4) NOT NULL DEFAULT 0,
  `created_at` datetime NOT NULL DEFAULT current_timestamp(),
  `updated_at` datetime NOT NULL DEFAULT current_timestamp(),
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS `archives` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `type` tinyint(4) unsigned NOT NULL DEFAULT 0,
  `related_id` tinyint(11) unsigned NOT NULL DEFAULT 0,
  `uuid` varchar(100) NOT NULL DEFAULT '',
  `pid` int(11) unsigned NOT NULL DEFAULT 0,
  `begin_time` datetime NOT NULL,
  `end_time` datetime NOT NULL,
  `status` tinyint(4) NOT NULL,
  `signal` varchar(50) NOT NULL DEFAULT '',
  `created_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  KEY `related` (`type`,`related_id`),
  KEY `created_at` (`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS `exceptions` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `type` int(11) unsigned NOT NULL DEFAULT 0,
  `related_id` int(11) unsigned NOT NULL DEFAULT 0,
  `desc` varchar(1000) NOT NULL DEFAULT '',
  `created_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  KEY `created_at` (`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS `groups` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(500) NOT NULL DEFAULT '',
  `status` tinyint(4) NOT NULL DEFAULT 0,
  `created_at` datetime NOT NULL,
  `creator` int(11) NOT NULL,
  `updated_at` datetime NOT NULL,
  `updator` int(11) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS `operations` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `user_id` int(11) unsigned NOT NULL DEFAULT 0,
  `type` int(11) unsigned NOT NULL DEFAULT 0,
  `related_id` int(11) unsigned NOT NULL DEFAULT 0,
  `action` int(11) unsigned NOT NULL DEFAULT 0,
  `created_at` datetime NOT NULL,
  PRIMARY KEY (`id`),
  KEY `created_at` (`created_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS `users` (
  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,
  `nickname` varchar(100) NOT NULL DEFAULT '',
  `avatar` varchar(500) NOT NULL DEFAULT '',
  `email` varchar(200) NOT NULL DEFAULT '',
  `mobile` varchar(50) NOT NULL DEFAULT '',
  `role` varchar(32) NOT NULL DEFAULT '',
  `salt` varchar(50) NOT NULL DEFAULT '',
  `password` varchar(200) NOT NULL DEFAULT '',
  `status` tinyint(4) NOT NULL DEFAULT 0,
  `created_at` datetime NOT NULL,
  `updated_at` datetime NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
)sql";

constexpr char kOriginalMonitorColumns[] =
    "  `id` int(11) unsigned NOT NULL AUTO_INCREMENT,\n"
    "  `type` tinyint(4) NOT NULL,\n"
    "  `related_id` int(11) NOT NULL,\n"
    "  `uuid` varchar(100) NOT NULL DEFAULT '',\n"
    "  `pid` int(11) NOT NULL,\n"
    "  `cpu` float NOT NULL,\n"
    "  `memory` float NOT NULL,\n"
    "  `created_at` datetime NOT NULL,\n";

// Report identity: a re-sent report hits the unique key and is ignored.
std::vector<ColumnDef> SeqColumn() { return {{"seq", "`seq` bigint NOT NULL DEFAULT 0", ""}}; }

IndexDef Key(const char* name, const char* ddl) { return {name, ddl, false, ""}; }

IndexDef ReportKey(const std::string& table) {
  // Rows of the original have no sequence: their id makes (uuid, seq) unique.
  return {"uk_report", "UNIQUE KEY `uk_report` (`uuid`,`seq`)", true,
          absl::StrCat("UPDATE `", table, "` SET `seq` = `id` WHERE `seq` = 0")};
}

TableUpgrade TaskUpgrade(const std::string& table, std::vector<ColumnDef> specific) {
  TableUpgrade u{table, {}, {}, {Key("idx_agent", "KEY `idx_agent` (`agent_id`,`status`)")}};
  u.columns = {{"user", "`user` varchar(100) NOT NULL DEFAULT ''", ""},
               {"env", "`env` text DEFAULT NULL", ""},
               {"stop_signal", "`stop_signal` varchar(16) NOT NULL DEFAULT 'TERM'", ""},
               {"stop_timeout", "`stop_timeout` int NOT NULL DEFAULT 10", ""},
               {"max_bytes", "`max_bytes` bigint NOT NULL DEFAULT 52428800", ""},
               {"backups", "`backups` int NOT NULL DEFAULT 10", ""}};
  u.columns.insert(u.columns.end(), specific.begin(), specific.end());
  std::vector<ColumnDef> observed = {
      // The original ran every row with status 1, 0, -2 (and -3); 2 was paused.
      {"desired", "`desired` tinyint NOT NULL DEFAULT 2",
       absl::StrCat("UPDATE `", table, "` SET `desired` = CASE WHEN `status` IN (2, -1) THEN 2 ",
                    "ELSE 1 END")},
      {"state", "`state` varchar(16) NOT NULL DEFAULT ''", ""},
      {"pid", "`pid` int unsigned NOT NULL DEFAULT 0", ""},
      {"restarts", "`restarts` int NOT NULL DEFAULT 0", ""},
      {"last_exit_status", "`last_exit_status` int DEFAULT NULL", ""},
      {"last_exit_signal", "`last_exit_signal` varchar(50) NOT NULL DEFAULT ''", ""},
      {"last_exit_at", "`last_exit_at` datetime DEFAULT NULL", ""},
      {"observed_at", "`observed_at` datetime DEFAULT NULL", ""}};
  u.columns.insert(u.columns.end(), observed.begin(), observed.end());
  return u;
}

std::vector<ColumnDef> RetryColumns() {
  return {{"retries", "`retries` int NOT NULL DEFAULT 0", ""},
          {"retry_delay", "`retry_delay` int NOT NULL DEFAULT 10", ""}};
}

}  // namespace

std::string MysqlOriginalSchema() { return absl::StrCat(OriginalTasks(), kOriginalOthers); }

std::vector<TableUpgrade> MysqlUpgrades() {
  std::vector<TableUpgrade> all;
  all.push_back({"agents",
                 {{"master", "`master` varchar(100) NOT NULL DEFAULT ''", ""},
                  {"uuid", "`uuid` varchar(100) NOT NULL DEFAULT ''", ""},
                  {"pid", "`pid` int unsigned NOT NULL DEFAULT 0", ""},
                  {"last_heartbeat_at", "`last_heartbeat_at` datetime DEFAULT NULL", ""},
                  {"assignment_version", "`assignment_version` bigint NOT NULL DEFAULT 0", ""}},
                 {},
                 {{"uk_ip_port", "UNIQUE KEY `uk_ip_port` (`ip`,`port`)", true, ""}}});
  all.push_back(
      TaskUpgrade("apps", {{"start_secs", "`start_secs` int NOT NULL DEFAULT 1", ""},
                           {"max_restarts", "`max_restarts` int NOT NULL DEFAULT 5", ""},
                           {"backoff_max", "`backoff_max` int NOT NULL DEFAULT 30", ""}}));
  std::vector<ColumnDef> job = {
      {"concurrency", "`concurrency` varchar(16) NOT NULL DEFAULT 'forbid'", ""}};
  for (const ColumnDef& c : RetryColumns()) job.push_back(c);
  all.push_back(TaskUpgrade("jobs", job));
  std::vector<ColumnDef> timing = RetryColumns();
  timing.push_back({"grace", "`grace` int NOT NULL DEFAULT 60", ""});
  all.push_back(TaskUpgrade("timings", timing));
  all.push_back(
      {"users",
       {{"must_change_password", "`must_change_password` tinyint NOT NULL DEFAULT 0", ""}},
       {},
       {{"uk_nickname", "UNIQUE KEY `uk_nickname` (`nickname`)", true, ""}}});
  all.push_back({"archives",
                 SeqColumn(),
                 // related_id above 255 and exit statuses above 127 did not fit.
                 {{"related_id", "tinyint", "`related_id` int(11) unsigned NOT NULL DEFAULT 0"},
                  {"status", "tinyint", "`status` int(11) NOT NULL"}},
                 {ReportKey("archives")}});
  std::vector<ColumnDef> exc = {{"uuid", "`uuid` varchar(100) NOT NULL DEFAULT ''", ""}};
  for (const ColumnDef& c : SeqColumn()) exc.push_back(c);
  all.push_back({"exceptions",
                 exc,
                 {},
                 {Key("related", "KEY `related` (`type`,`related_id`)"), ReportKey("exceptions")}});
  all.push_back({"operations", {}, {}, {Key("idx_user", "KEY `idx_user` (`user_id`)")}});
  return all;
}

TableUpgrade MysqlMonitorUpgrade(const std::string& table) {
  std::vector<ColumnDef> cols = {{"threads", "`threads` int NOT NULL DEFAULT 0", ""}};
  for (const ColumnDef& c : SeqColumn()) cols.push_back(c);
  return {table,
          cols,
          {},
          {Key("idx_related_time", "KEY `idx_related_time` (`type`,`related_id`,`created_at`)"),
           ReportKey(table)}};
}

std::string MysqlOriginalMonitorTableDdl(const std::string& table) {
  return absl::StrCat("CREATE TABLE IF NOT EXISTS `", table, "` (\n", kOriginalMonitorColumns,
                      "  PRIMARY KEY (`id`)\n", kTableOptions);
}

std::string MysqlMonitorTableDdl(const std::string& table) {
  return absl::StrCat("CREATE TABLE IF NOT EXISTS `", table, "` (\n", kOriginalMonitorColumns,
                      "  `threads` int NOT NULL DEFAULT 0,\n"
                      "  `seq` bigint NOT NULL DEFAULT 0,\n"
                      "  PRIMARY KEY (`id`),\n"
                      "  KEY `idx_related_time` (`type`,`related_id`,`created_at`),\n"
                      "  UNIQUE KEY `uk_report` (`uuid`,`seq`)\n",
                      kTableOptions);
}

std::vector<TableUpgrade> SecurityUpgrades(bool mysql) {
  auto column = [mysql](const char* name, const char* mysql_ddl, const char* sqlite_ddl,
                        std::string backfill = "") {
    return ColumnDef{name, mysql ? mysql_ddl : sqlite_ddl, mysql ? std::move(backfill) : ""};
  };
  std::vector<TableUpgrade> all;
  all.push_back({"users",
                 {column("run_as", "`run_as` varchar(1000) NOT NULL DEFAULT ''",
                         "run_as TEXT NOT NULL DEFAULT ''")},
                 {},
                 {}});
  all.push_back({"agents",
                 {column("key_hash", "`key_hash` varchar(128) NOT NULL DEFAULT ''",
                         "key_hash TEXT NOT NULL DEFAULT ''")},
                 {},
                 {}});
  for (const char* table : {"apps", "jobs", "timings"}) {
    // Rows older than migration 3 come from the original Asgard, which ran every task as root;
    // those a non-administrator created run under today's rule and are reported.
    std::string imported = absl::StrCat(
        "UPDATE `", table,
        "` SET `imported_root` = 1 WHERE `user` = '' AND `status` <> -1 AND `creator` <> 0 "
        "AND `created_at` <= (SELECT MAX(`applied_at`) FROM `schema_version` WHERE `version` = 3) "
        "AND `creator` NOT IN (SELECT `id` FROM `users` WHERE `role` = 'Administrator')");
    TableUpgrade u{table,
                   {column("imported_root", "`imported_root` tinyint NOT NULL DEFAULT 0",
                           "imported_root INTEGER NOT NULL DEFAULT 0", imported)},
                   {},
                   {}};
    if (std::string(table) == "jobs") {
      u.columns.push_back(column("max_concurrent", "`max_concurrent` int NOT NULL DEFAULT 10",
                                 "max_concurrent INTEGER NOT NULL DEFAULT 10"));
      // The original's 50 characters do not hold a CRON_TZ= prefix with a long zone name.
      if (mysql) u.widen.push_back({"spec", "varchar", "`spec` varchar(255) NOT NULL DEFAULT '0'"});
    }
    all.push_back(std::move(u));
  }
  return all;
}

std::string MysqlSessionTables() {
  return R"sql(
CREATE TABLE IF NOT EXISTS `web_sessions` (
  `token_hash` char(64) NOT NULL,
  `user_id` int(11) unsigned NOT NULL,
  `forced_password_change` tinyint(4) NOT NULL DEFAULT 0,
  `created_at` datetime NOT NULL,
  `expires_at` datetime NOT NULL,
  PRIMARY KEY (`token_hash`),
  KEY `idx_user` (`user_id`),
  KEY `idx_expires` (`expires_at`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS `settings` (
  `name` varchar(100) NOT NULL,
  `value` varchar(1000) NOT NULL DEFAULT '',
  `created_at` datetime NOT NULL,
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
)sql";
}

bool IsOriginalTable(const std::string& table) {
  for (const char* t : {"agents", "apps", "jobs", "timings", "groups", "users", "archives",
                        "exceptions", "operations"}) {
    if (table == t) return true;
  }
  return ParseMonitorTableName(table).has_value();
}

}  // namespace asgard::store
