// File: migrate.cc
// The migration runner: lock, read schema_version, apply the missing steps, record them.
#include "store/migrate.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/password.h"
#include "store/schema_checks.h"

namespace asgard::store {
namespace {

constexpr char kVersionTable[] =
    "CREATE TABLE IF NOT EXISTS schema_version (\n"
    "  version INT NOT NULL PRIMARY KEY,\n"
    "  name VARCHAR(100) NOT NULL DEFAULT '',\n"
    "  applied_at DATETIME NOT NULL\n"
    ")";

struct Step {
  int version;
  const char* name;
};
constexpr Step kSteps[] = {{1, "original tables"},
                           {2, "original local times to UTC"},
                           {3, "asgard schema"},
                           {4, "initial admin account"},
                           {5, "security columns"},
                           {6, "checked task columns"},
                           {7, "web sessions and settings"}};
static_assert(sizeof(kSteps) / sizeof(kSteps[0]) == kSchemaVersion);

absl::Status Record(SqlConn& conn, const Step& step, absl::Time now) {
  return conn
      .Exec("INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
            {step.version, step.name, now})
      .status();
}

absl::Status SeedAdmin(SqlConn& conn, absl::Time now) {
  ASSIGN_OR_RETURN(
      int64_t n, conn.QueryInt("SELECT COUNT(*) FROM users WHERE nickname = ?", {kAdminNickname}));
  if (n > 0) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::string hash, HashPassword(kAdminDefaultPassword));
  return conn
      .Exec(
          "INSERT INTO users (nickname, avatar, email, mobile, role, salt, password, status, "
          "created_at, updated_at, must_change_password) VALUES (?, '', ?, ?, ?, '', ?, 1, ?, ?, "
          "1)",
          {kAdminNickname, "admin@admin.com", "13888888888", "Administrator", hash, now, now})
      .status();
}

absl::Status WithContext(const Step& step, absl::Status s) {
  if (s.ok()) return s;
  return absl::Status(
      s.code(), absl::StrCat("migration ", step.version, " (", step.name, "): ", s.message()));
}

// SQLite's ALTER TABLE adds one column per statement; what a table already has is skipped, so
// that a half-applied step completes (and a database made by a newer schema is left alone).
absl::Status AddSqliteColumns(SqlConn& conn, const TableUpgrade& upgrade) {
  ASSIGN_OR_RETURN(auto rows, conn.Query(absl::StrCat("PRAGMA table_info(`", upgrade.table, "`)")));
  std::set<std::string> have;
  for (const SqlRow& row : rows) {
    RowReader r(row);
    r.Int();  // cid
    have.insert(r.Str());
  }
  for (const ColumnDef& c : upgrade.columns) {
    if (have.contains(c.name)) continue;
    RETURN_IF_ERROR(
        conn.ExecScript(absl::StrCat("ALTER TABLE `", upgrade.table, "` ADD COLUMN ", c.ddl)));
  }
  return absl::OkStatus();
}

absl::Status MigrateSqlite(SqlConn& conn, const MigrateOptions& options) {
  return InTransaction(conn, [&]() -> absl::Status {
    RETURN_IF_ERROR(conn.ExecScript(kVersionTable));
    ASSIGN_OR_RETURN(std::set<int> applied, AppliedVersions(conn));
    for (const Step& step : kSteps) {
      if (applied.contains(step.version)) continue;
      absl::Status s;
      if (step.version == 1) s = conn.ExecScript(SqliteSchema());
      if (step.version == 4) s = SeedAdmin(conn, options.now);
      if (step.version == 5) {
        for (const TableUpgrade& u : SecurityUpgrades(/*mysql=*/false)) {
          if (s.ok()) s = AddSqliteColumns(conn, u);
        }
      }
      if (step.version == 6) s = AddColumnChecks(conn);
      if (step.version == 7) s = conn.ExecScript(SqliteSessionTables());
      RETURN_IF_ERROR(WithContext(step, s));
      RETURN_IF_ERROR(Record(conn, step, options.now));
    }
    return absl::OkStatus();
  });
}

absl::Status UpgradeMysqlTables(SqlConn& conn) {
  for (const TableUpgrade& upgrade : MysqlUpgrades()) RETURN_IF_ERROR(ApplyUpgrade(conn, upgrade));
  ASSIGN_OR_RETURN(std::vector<std::string> monitors, MonitorTables(conn));
  for (const std::string& table : monitors) {
    RETURN_IF_ERROR(ApplyUpgrade(conn, MysqlMonitorUpgrade(table)));
  }
  return absl::OkStatus();
}

absl::Status MysqlStep(SqlConn& conn, const Step& step, const MigrateOptions& options) {
  switch (step.version) {
    case 1:
      RETURN_IF_ERROR(conn.ExecScript(MysqlOriginalSchema()));
      return Record(conn, step, options.now);
    case 2:
      return ConvertOriginalTimesToUtc(conn, options.legacy_zone,
                                       [&] { return Record(conn, step, options.now); });
    case 3:
      RETURN_IF_ERROR(UpgradeMysqlTables(conn));
      return Record(conn, step, options.now);
    case 5:
      for (const TableUpgrade& u : SecurityUpgrades(/*mysql=*/true)) {
        RETURN_IF_ERROR(ApplyUpgrade(conn, u));
      }
      return Record(conn, step, options.now);
    case 6:
      RETURN_IF_ERROR(AddColumnChecks(conn));
      return Record(conn, step, options.now);
    case 7:
      RETURN_IF_ERROR(conn.ExecScript(MysqlSessionTables()));
      return Record(conn, step, options.now);
    default:
      return InTransaction(conn, [&]() -> absl::Status {
        RETURN_IF_ERROR(SeedAdmin(conn, options.now));
        return Record(conn, step, options.now);
      });
  }
}

absl::Status MigrateMysqlLocked(SqlConn& conn, const MigrateOptions& options) {
  RETURN_IF_ERROR(
      conn.ExecScript(absl::StrCat(kVersionTable, " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4")));
  ASSIGN_OR_RETURN(std::set<int> applied, AppliedVersions(conn));
  for (const Step& step : kSteps) {
    if (applied.contains(step.version)) continue;
    RETURN_IF_ERROR(WithContext(step, MysqlStep(conn, step, options)));
  }
  return absl::OkStatus();
}

absl::Status MigrateMysql(SqlConn& conn, const MigrateOptions& options) {
  ASSIGN_OR_RETURN(int64_t locked, conn.QueryInt("SELECT GET_LOCK('asgard_migrate', 30)", {}));
  if (locked != 1) {
    return absl::UnavailableError(
        "another process has held the migration lock 'asgard_migrate' for 30 s; try again");
  }
  absl::Status s = MigrateMysqlLocked(conn, options);
  (void)conn.Query("SELECT RELEASE_LOCK('asgard_migrate')", {});
  return s;
}

}  // namespace

absl::StatusOr<std::set<int>> AppliedVersions(SqlConn& conn) {
  absl::StatusOr<std::vector<SqlRow>> rows = conn.Query("SELECT version FROM schema_version");
  if (!rows.ok()) return rows.status();
  std::set<int> versions;
  for (const SqlRow& row : *rows) versions.insert(static_cast<int>(RowReader(row).Int()));
  return versions;
}

absl::Status Migrate(SqlConn& conn, const MigrateOptions& options) {
  return conn.backend() == Backend::kSqlite ? MigrateSqlite(conn, options)
                                            : MigrateMysql(conn, options);
}

}  // namespace asgard::store
