// File: migrate_test.cc
// Migrations on both backends: an empty database reaches the current version, a second open
// changes nothing, and concurrent opens (threads and processes) migrate exactly once.
#include "store/migrate.h"

#include <sys/wait.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "store/sqlite_conn.h"
#include "store/store_test_fixture.h"

namespace asgard::store {
namespace {

std::set<int> EveryVersion() {
  std::set<int> all;
  for (int v = 1; v <= kSchemaVersion; ++v) all.insert(v);
  return all;
}

class MigrateTest : public StoreTest {
 protected:
  // Counts rows of `table` through a separate connection.
  int64_t Count(const std::string& table) {
    auto conn = db_->Connect();
    EXPECT_TRUE(conn.ok()) << conn.status();
    if (!conn.ok()) return -1;
    auto n = (*conn)->QueryInt("SELECT COUNT(*) FROM " + table, {});
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(-1);
  }
  std::set<int> Versions() {
    auto conn = db_->Connect();
    EXPECT_TRUE(conn.ok()) << conn.status();
    if (!conn.ok()) return {};
    return AppliedVersions(**conn).value_or(std::set<int>{});
  }
};

TEST_P(MigrateTest, EmptyDatabaseReachesCurrentVersion) {
  EXPECT_EQ(Versions(), EveryVersion());
  EXPECT_EQ(Count("users"), 1);  // the seeded admin
  for (const char* table :
       {"agents", "apps", "jobs", "timings", "`groups`", "archives", "exceptions", "operations",
        "web_sessions", "settings"}) {
    EXPECT_EQ(Count(table), 0) << table;
  }
}

TEST_P(MigrateTest, ReopeningChangesNothing) {
  store_.reset();
  for (int i = 0; i < 2; ++i) {
    ASSERT_OK_AND_ASSIGN(auto again, db_->Open());
  }
  EXPECT_EQ(Count("schema_version"), kSchemaVersion);
  EXPECT_EQ(Count("users"), 1);
}

TEST_P(MigrateTest, ConcurrentOpensFromThreadsMigrateOnce) {
  ASSERT_OK_AND_ASSIGN(auto fresh, TestDatabase::Create(GetParam()));
  std::vector<absl::Status> results(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] { results[i] = fresh->Open().status(); });
  }
  for (auto& t : threads) t.join();
  for (const absl::Status& s : results) EXPECT_TRUE(s.ok()) << s;
  ASSERT_OK_AND_ASSIGN(auto conn, fresh->Connect());
  EXPECT_EQ(conn->QueryInt("SELECT COUNT(*) FROM schema_version", {}).value_or(-1), kSchemaVersion);
  EXPECT_EQ(conn->QueryInt("SELECT COUNT(*) FROM users", {}).value_or(-1), 1);
}

TEST_P(MigrateTest, ConcurrentOpensFromProcessesMigrateOnce) {
  ASSERT_OK_AND_ASSIGN(auto fresh, TestDatabase::Create(GetParam()));
  std::vector<pid_t> children;
  for (int i = 0; i < 2; ++i) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) _exit(fresh->Open().ok() ? 0 : 1);  // the child opens, migrates and exits
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child " << pid;
  }
  ASSERT_OK_AND_ASSIGN(auto conn, fresh->Connect());
  EXPECT_EQ(AppliedVersions(*conn).value_or(std::set<int>{}), EveryVersion());
  EXPECT_EQ(conn->QueryInt("SELECT COUNT(*) FROM users", {}).value_or(-1), 1);
}

ASGARD_INSTANTIATE_BACKENDS(MigrateTest);

TEST(SqliteStore, FileIsRuntimeDirAsgardDbInWalMode) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create(TestBackend::kSqlite));
  std::string runtime = db->runtime_dir() + "/new/runtime";  // created with its parents
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open(db->config(), runtime));
  ASSERT_OK_AND_ASSIGN(auto conn, SqliteConn::Open(runtime + "/asgard.db"));
  ASSERT_OK_AND_ASSIGN(SqlRow row, conn->QueryRow("PRAGMA journal_mode", {}));
  EXPECT_EQ(RowReader(row).Str(), "wal");
  EXPECT_EQ(AppliedVersions(*conn).value_or(std::set<int>{}).size(), static_cast<size_t>(kSchemaVersion));
}

}  // namespace
}  // namespace asgard::store
