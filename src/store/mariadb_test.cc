// File: mariadb_test.cc
// MySQL/MariaDB only: an original Asgard database is upgraded in place, scripts/Asgard.sql is
// exactly the migrated schema, and a lost connection is reopened.
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "store/migrate.h"
#include "store/monitor_tables.h"
#include "store/password.h"
#include "store/store_test_fixture.h"

namespace asgard::store {
namespace {

using Schema = std::map<std::string, std::set<std::string>>;  // table -> columns and keys

// Every column (type, nullability, default) and key of every table, through information_schema.
// monitors_YYYYMM tables are listed as "monitors_*" (only one of them is expected).
Schema SchemaOf(SqlConn& conn) {
  Schema schema;
  auto name = [](std::string t) { return ParseMonitorTableName(t) ? "monitors_*" : t; };
  auto cols = conn.Query(
      "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COALESCE(COLUMN_DEFAULT, "
      "'<none>') FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()");
  EXPECT_TRUE(cols.ok()) << cols.status();
  for (const SqlRow& row : cols.value_or(std::vector<SqlRow>{})) {
    RowReader r(row);
    std::string table = name(r.Str());
    schema[table].insert(
        absl::StrCat(r.Str(), " ", r.Str(), " null=", r.Str(), " default=", r.Str()));
  }
  auto keys = conn.Query(
      "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) "
      "FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
      "GROUP BY TABLE_NAME, INDEX_NAME, NON_UNIQUE");
  EXPECT_TRUE(keys.ok()) << keys.status();
  for (const SqlRow& row : keys.value_or(std::vector<SqlRow>{})) {
    RowReader r(row);
    std::string table = name(r.Str());
    schema[table].insert(
        absl::StrCat("key ", r.Str(), " non_unique=", r.Str(), " (", r.Str(), ")"));
  }
  auto checks = conn.Query(
      "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
      "WHERE CONSTRAINT_SCHEMA = DATABASE()");
  EXPECT_TRUE(checks.ok()) << checks.status();
  for (const SqlRow& row : checks.value_or(std::vector<SqlRow>{})) {
    RowReader r(row);
    std::string table = name(r.Str());
    schema[table].insert(absl::StrCat("check ", r.Str(), " ", r.Str()));
  }
  return schema;
}

std::string Cell(SqlConn& conn, const std::string& sql) {
  auto row = conn.QueryRow(sql, {});
  EXPECT_TRUE(row.ok()) << row.status() << " in " << sql;
  return row.ok() ? RowReader(*row).Str() : "";
}

class MariaDbTest : public ::testing::Test {
 protected:
  void SetUp() override { ASGARD_REQUIRE_BACKEND(TestBackend::kMariaDb); }

  // A new database, loaded with `sql_file` when given.
  std::unique_ptr<TestDatabase> NewDatabase(const std::string& sql_file = "") {
    auto db = TestDatabase::Create(TestBackend::kMariaDb);
    EXPECT_TRUE(db.ok()) << db.status();
    if (!db.ok() || sql_file.empty()) return db.ok() ? std::move(*db) : nullptr;
    auto text = ReadTextFile(sql_file);
    EXPECT_TRUE(text.ok()) << text.status();
    auto conn = (*db)->Connect();
    EXPECT_TRUE(conn.ok()) << conn.status();
    absl::Status loaded = (*conn)->ExecScript(text.value_or(""));
    EXPECT_TRUE(loaded.ok()) << loaded;
    return std::move(*db);
  }

  static OpenOptions Berlin() {
    OpenOptions o;
    EXPECT_TRUE(absl::LoadTimeZone("Europe/Berlin", &o.legacy_zone));
    return o;
  }
};

TEST_F(MariaDbTest, AsgardSqlIsExactlyTheMigratedSchema) {
  auto migrated = NewDatabase();
  auto by_hand = NewDatabase(ASGARD_SCRIPTS_DIR "/Asgard.sql");
  ASSERT_TRUE(migrated && by_hand);
  ASSERT_OK(migrated->Open().status());
  ASSERT_OK_AND_ASSIGN(auto a, migrated->Connect());
  ASSERT_OK_AND_ASSIGN(auto b, by_hand->Connect());
  Schema want = SchemaOf(*a);
  EXPECT_EQ(want.size(), 12u);  // 9 tables of the original + schema_version, web_sessions, settings
  EXPECT_EQ(SchemaOf(*b), want);

  // Opening the hand-made database finds nothing to do, and its admin logs in.
  ASSERT_OK_AND_ASSIGN(auto store, by_hand->Open());
  EXPECT_EQ(SchemaOf(*b), want);
  EXPECT_EQ(Cell(*b, "SELECT COUNT(*) FROM schema_version"), absl::StrCat(kSchemaVersion));
  ASSERT_OK_AND_ASSIGN(User admin, store->FindUser(UserKey::kNickname, "admin"));
  EXPECT_TRUE(VerifyPassword(admin, "123456").ok);
  EXPECT_TRUE(admin.must_change_password);
}

TEST_F(MariaDbTest, OriginalDatabaseIsUpgradedInPlace) {
  auto original = NewDatabase(ASGARD_STORE_TESTDATA "/original_asgard.sql");
  auto fresh = NewDatabase();
  ASSERT_TRUE(original && fresh);
  ASSERT_OK_AND_ASSIGN(auto store, original->Open(Berlin()));
  ASSERT_OK_AND_ASSIGN(auto fresh_store, fresh->Open());
  ASSERT_OK(fresh_store->EnsureMonitorTables(Utc(2020, 5, 1)));
  ASSERT_OK_AND_ASSIGN(auto c, original->Connect());
  ASSERT_OK_AND_ASSIGN(auto f, fresh->Connect());
  ASSERT_OK(f->ExecScript("DROP TABLE monitors_202006"));  // keep one monitors table each
  ASSERT_OK(c->ExecScript("DROP TABLE monitors_202006; DROP TABLE monitors_202007"));
  EXPECT_EQ(SchemaOf(*c), SchemaOf(*f));

  // Rows kept; local times (Berlin: +01:00 in winter, +02:00 in summer) now UTC, once.
  EXPECT_EQ(Cell(*c, "SELECT COUNT(*) FROM apps"), "3");
  EXPECT_EQ(Cell(*c, "SELECT created_at FROM agents WHERE id = 1"), "2020-05-10 08:00:00");
  EXPECT_EQ(Cell(*c, "SELECT created_at FROM operations WHERE id = 1"), "2020-03-01 11:00:00");
  EXPECT_EQ(Cell(*c, "SELECT created_at FROM operations WHERE id = 2"), "2020-06-01 10:00:00");
  EXPECT_EQ(Cell(*c, "SELECT `time` FROM timings WHERE id = 1"), "2020-06-01 06:00:00");
  EXPECT_EQ(Cell(*c, "SELECT created_at FROM users WHERE id = 1"), "2020-01-08 15:38:05");
  EXPECT_EQ(Cell(*c, "SELECT `name` FROM schema_version WHERE version = 2"),
            "original local times to UTC");
  // The June sample taken at 01:30 local is May in UTC: it moved to monitors_202005.
  ASSERT_OK_AND_ASSIGN(auto may_end,
                       store->QueryMonitors(2, 1, Utc(2020, 5, 31, 23), Utc(2020, 6, 1), 10));
  ASSERT_EQ(may_end.size(), 1u);
  EXPECT_EQ(may_end[0].created_at, Utc(2020, 5, 31, 23, 30));
  EXPECT_EQ(store->ListMonitorTables().value_or(std::vector<std::string>{}),
            (std::vector<std::string>{"monitors_202005"}));  // after the drops above

  // Desired state follows the original status; a finished timing stays finished.
  ASSERT_OK_AND_ASSIGN(Task api, store->GetTask(TaskKind::kApp, 1));
  EXPECT_EQ(api.desired, Desired::kRun);
  EXPECT_EQ(api.status, kTaskRunning);
  ASSERT_OK_AND_ASSIGN(Task worker, store->GetTask(TaskKind::kApp, 2));
  EXPECT_EQ(worker.desired, Desired::kPause);
  ASSERT_OK_AND_ASSIGN(Assignment work, store->GetAssignment(1));
  EXPECT_EQ(work.apps.size(), 2u);
  ASSERT_EQ(work.timings.size(), 1u);
  EXPECT_EQ(work.timings[0].input.name, "report");

  // alice (a User) created the job `backup`: it ran as root in the original and is flagged;
  // the administrator's tasks are not.
  EXPECT_EQ(Cell(*c, "SELECT imported_root FROM jobs WHERE id = 1"), "1");
  EXPECT_EQ(Cell(*c, "SELECT imported_root FROM apps WHERE id = 1"), "0");
  ASSERT_OK_AND_ASSIGN(Task backup, store->GetTask(TaskKind::kJob, 1));
  EXPECT_TRUE(backup.imported_root);

  // The forbidden agent stays forbidden; related_id above 255 fits now.
  ASSERT_OK_AND_ASSIGN(Agent forbidden,
                       store->RegisterAgent({"10.0.0.2", "27149", "m", "u", 1}, T0()));
  EXPECT_TRUE(forbidden.forbidden());
  ArchiveRecord big{2, 70000, "run-9", 0, 1, T0(), T0(), 0, "", T0()};
  EXPECT_EQ(store->InsertArchives({big}).value_or(-1), 1);

  // MD5 users still log in, once, and are then re-hashed.
  ASSERT_OK_AND_ASSIGN(User admin, store->FindUser(UserKey::kNickname, "admin"));
  PasswordCheck check = VerifyPassword(admin, "123456");
  EXPECT_TRUE(check.ok && check.rehash);
  EXPECT_TRUE(store->AdminPasswordIsDefault().value_or(false));
  ASSERT_OK_AND_ASSIGN(User alice, store->FindUser(UserKey::kNickname, "alice"));
  EXPECT_TRUE(VerifyPassword(alice, "s3cret'%").ok);
  ASSERT_OK(store->SetUserPassword(alice.id, "s3cret'%", false));
  ASSERT_OK_AND_ASSIGN(alice, store->GetUser(alice.id));
  EXPECT_EQ(alice.salt, "");
  check = VerifyPassword(alice, "s3cret'%");
  EXPECT_TRUE(check.ok && !check.rehash);

  // A second open converts nothing again.
  store.reset();
  ASSERT_OK(original->Open(Berlin()).status());
  EXPECT_EQ(Cell(*c, "SELECT created_at FROM agents WHERE id = 1"), "2020-05-10 08:00:00");
  EXPECT_EQ(Cell(*c, "SELECT COUNT(*) FROM schema_version"), absl::StrCat(kSchemaVersion));
}

TEST_F(MariaDbTest, LostConnectionIsReopened) {
  auto db = NewDatabase();
  ASSERT_TRUE(db);
  ASSERT_OK_AND_ASSIGN(auto conn, db->Connect());
  ASSERT_OK_AND_ASSIGN(auto killer, db->Connect());
  ASSERT_OK_AND_ASSIGN(int64_t id, conn->QueryInt("SELECT CONNECTION_ID()", {}));
  ASSERT_OK(killer->Exec("KILL ?", {id}).status());
  ASSERT_OK_AND_ASSIGN(int64_t again, conn->QueryInt("SELECT CONNECTION_ID()", {}));
  EXPECT_NE(again, id);
  EXPECT_EQ(Cell(*conn, "SELECT @@session.time_zone"), "+00:00");
}

}  // namespace
}  // namespace asgard::store
