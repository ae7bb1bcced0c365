// File: schema_sqlite.cc
// SQLite DDL: every table in its current form (same names, columns and keys as MySQL after its
// migrations). Times are TEXT "YYYY-MM-DD HH:MM:SS" in UTC.
#include "absl/strings/str_cat.h"
#include "store/schema.h"

namespace asgard::store {
namespace {

std::string TaskTable(const char* table, const char* specific) {
  return absl::StrCat("CREATE TABLE IF NOT EXISTS `", table,
                      "` (\n"
                      "  id INTEGER PRIMARY KEY,\n"
                      "  group_id INTEGER NOT NULL DEFAULT 0,\n"
                      "  name TEXT NOT NULL DEFAULT '',\n"
                      "  agent_id INTEGER NOT NULL DEFAULT 0,\n"
                      "  dir TEXT NOT NULL DEFAULT '',\n"
                      "  program TEXT NOT NULL DEFAULT '',\n"
                      "  args TEXT NOT NULL DEFAULT '',\n"
                      "  std_out TEXT NOT NULL DEFAULT '',\n"
                      "  std_err TEXT NOT NULL DEFAULT '',\n"
                      "  is_monitor INTEGER NOT NULL DEFAULT 0,\n"
                      "  status INTEGER NOT NULL DEFAULT 0,\n"
                      "  created_at TEXT NOT NULL,\n"
                      "  creator INTEGER NOT NULL,\n"
                      "  updated_at TEXT NOT NULL,\n"
                      "  updator INTEGER NOT NULL,\n"
                      "  `user` TEXT NOT NULL DEFAULT '',\n"
                      "  env TEXT DEFAULT NULL,\n"
                      "  stop_signal TEXT NOT NULL DEFAULT 'TERM',\n"
                      "  stop_timeout INTEGER NOT NULL DEFAULT 10,\n"
                      "  max_bytes INTEGER NOT NULL DEFAULT 52428800,\n"
                      "  backups INTEGER NOT NULL DEFAULT 10,\n",
                      specific,
                      "  desired INTEGER NOT NULL DEFAULT 2,\n"
                      "  state TEXT NOT NULL DEFAULT '',\n"
                      "  pid INTEGER NOT NULL DEFAULT 0,\n"
                      "  restarts INTEGER NOT NULL DEFAULT 0,\n"
                      "  last_exit_status INTEGER DEFAULT NULL,\n"
                      "  last_exit_signal TEXT NOT NULL DEFAULT '',\n"
                      "  last_exit_at TEXT DEFAULT NULL,\n"
                      "  observed_at TEXT DEFAULT NULL\n"
                      ");\n"
                      "CREATE INDEX IF NOT EXISTS ",
                      table, "_idx_agent ON `", table, "` (agent_id, status);\n");
}

constexpr char kOthers[] = R"sql(
CREATE TABLE IF NOT EXISTS agents (
  id INTEGER PRIMARY KEY,
  alias TEXT NOT NULL DEFAULT '',
  ip TEXT NOT NULL DEFAULT '',
  port TEXT NOT NULL DEFAULT '',
  status INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
  master TEXT NOT NULL DEFAULT '',
  uuid TEXT NOT NULL DEFAULT '',
  pid INTEGER NOT NULL DEFAULT 0,
  last_heartbeat_at TEXT DEFAULT NULL,
  assignment_version INTEGER NOT NULL DEFAULT 0,
  UNIQUE (ip, port)
);
CREATE TABLE IF NOT EXISTS archives (
  id INTEGER PRIMARY KEY,
  type INTEGER NOT NULL DEFAULT 0,
  related_id INTEGER NOT NULL DEFAULT 0,
  uuid TEXT NOT NULL DEFAULT '',
  pid INTEGER NOT NULL DEFAULT 0,
  begin_time TEXT NOT NULL,
  end_time TEXT NOT NULL,
  status INTEGER NOT NULL,
  `signal` TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0,
  UNIQUE (uuid, seq)
);
CREATE INDEX IF NOT EXISTS archives_related ON archives (type, related_id);
CREATE INDEX IF NOT EXISTS archives_created_at ON archives (created_at);
CREATE TABLE IF NOT EXISTS exceptions (
  id INTEGER PRIMARY KEY,
  type INTEGER NOT NULL DEFAULT 0,
  related_id INTEGER NOT NULL DEFAULT 0,
  `desc` TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  uuid TEXT NOT NULL DEFAULT '',
  seq INTEGER NOT NULL DEFAULT 0,
  UNIQUE (uuid, seq)
);
CREATE INDEX IF NOT EXISTS exceptions_created_at ON exceptions (created_at);
CREATE INDEX IF NOT EXISTS exceptions_related ON exceptions (type, related_id);
CREATE TABLE IF NOT EXISTS `groups` (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL DEFAULT '',
  status INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  creator INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  updator INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS operations (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL DEFAULT 0,
  type INTEGER NOT NULL DEFAULT 0,
  related_id INTEGER NOT NULL DEFAULT 0,
  action INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS operations_created_at ON operations (created_at);
CREATE INDEX IF NOT EXISTS operations_idx_user ON operations (user_id);
CREATE TABLE IF NOT EXISTS users (
  id INTEGER PRIMARY KEY,
  nickname TEXT NOT NULL DEFAULT '',
  avatar TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  mobile TEXT NOT NULL DEFAULT '',
  role TEXT NOT NULL DEFAULT '',
  salt TEXT NOT NULL DEFAULT '',
  password TEXT NOT NULL DEFAULT '',
  status INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 0,
  UNIQUE (nickname)
);
)sql";

}  // namespace

std::string SqliteSchema() {
  return absl::StrCat(TaskTable("apps",
                                "  auto_restart INTEGER NOT NULL DEFAULT 0,\n"
                                "  start_secs INTEGER NOT NULL DEFAULT 1,\n"
                                "  max_restarts INTEGER NOT NULL DEFAULT 5,\n"
                                "  backoff_max INTEGER NOT NULL DEFAULT 30,\n"),
                      TaskTable("jobs",
                                "  spec TEXT NOT NULL DEFAULT '0',\n"
                                "  timeout INTEGER NOT NULL DEFAULT -1,\n"
                                "  concurrency TEXT NOT NULL DEFAULT 'forbid',\n"
                                "  retries INTEGER NOT NULL DEFAULT 0,\n"
                                "  retry_delay INTEGER NOT NULL DEFAULT 10,\n"),
                      TaskTable("timings",
                                "  `time` TEXT NOT NULL,\n"
                                "  timeout INTEGER NOT NULL DEFAULT -1,\n"
                                "  retries INTEGER NOT NULL DEFAULT 0,\n"
                                "  retry_delay INTEGER NOT NULL DEFAULT 10,\n"
                                "  grace INTEGER NOT NULL DEFAULT 60,\n"),
                      kOthers);
}

std::string SqliteMonitorTableDdl(const std::string& table) {
  return absl::StrCat("CREATE TABLE IF NOT EXISTS ", table, " (\n",
                      "  id INTEGER PRIMARY KEY,\n"
                      "  type INTEGER NOT NULL,\n"
                      "  related_id INTEGER NOT NULL,\n"
                      "  uuid TEXT NOT NULL DEFAULT '',\n"
                      "  pid INTEGER NOT NULL,\n"
                      "  cpu REAL NOT NULL,\n"
                      "  memory REAL NOT NULL,\n"
                      "  created_at TEXT NOT NULL,\n"
                      "  threads INTEGER NOT NULL DEFAULT 0,\n"
                      "  seq INTEGER NOT NULL DEFAULT 0,\n"
                      "  UNIQUE (uuid, seq)\n"
                      ");\n"
                      "CREATE INDEX IF NOT EXISTS ",
                      table, "_idx_related_time ON ", table, " (type, related_id, created_at);\n");
}

std::string SqliteSessionTables() {
  return "CREATE TABLE IF NOT EXISTS web_sessions (\n"
         "  token_hash TEXT NOT NULL PRIMARY KEY,\n"
         "  user_id INTEGER NOT NULL,\n"
         "  forced_password_change INTEGER NOT NULL DEFAULT 0,\n"
         "  created_at TEXT NOT NULL,\n"
         "  expires_at TEXT NOT NULL\n"
         ") WITHOUT ROWID;\n"
         "CREATE INDEX IF NOT EXISTS web_sessions_idx_user ON web_sessions (user_id);\n"
         "CREATE INDEX IF NOT EXISTS web_sessions_idx_expires ON web_sessions (expires_at);\n"
         "CREATE TABLE IF NOT EXISTS settings (\n"
         "  name TEXT NOT NULL PRIMARY KEY,\n"
         "  value TEXT NOT NULL DEFAULT '',\n"
         "  created_at TEXT NOT NULL\n"
         ");\n";
}

}  // namespace asgard::store
