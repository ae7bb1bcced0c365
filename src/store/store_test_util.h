// File: store_test_util.h
// Test support: a fresh, empty database per test on SQLite (a temp dir) or MariaDB (a uniquely
// named database on the server named by ASGARD_TEST_MYSQL, dropped afterwards).
//
//   class StoreTest : public ::testing::TestWithParam<TestBackend> {
//     void SetUp() override { ASGARD_REQUIRE_BACKEND(GetParam()); db_ = ...Create(GetParam()); }
//   };
//
// MariaDB tests skip when ASGARD_TEST_MYSQL is unset, but fail when CI=true (the service
// should have been started by scripts/test-services/with-services.sh). ASGARD_TEST_KEEP_DB=1
// leaves the databases (and temp dirs) behind for inspection.
#pragma once

#include <memory>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "config/config.h"
#include "store/mysql_conn.h"
#include "store/sql.h"
#include "store/store.h"

namespace asgard::store {

enum class TestBackend { kSqlite, kMariaDb };
std::string BackendName(TestBackend backend);
inline void PrintTo(TestBackend backend, std::ostream* os) { *os << BackendName(backend); }

// "" when the backend can be used, else why not.
std::string BackendUnavailableReason(TestBackend backend);
bool IsCi();

#define ASGARD_REQUIRE_BACKEND(backend)                                              \
  do {                                                                               \
    std::string asgard_reason_ = ::asgard::store::BackendUnavailableReason(backend); \
    if (!asgard_reason_.empty()) {                                                   \
      if (::asgard::store::IsCi()) FAIL() << asgard_reason_;                         \
      GTEST_SKIP() << asgard_reason_;                                                \
    }                                                                                \
  } while (0)

// mysql://user[:password]@host[:port]/database
absl::StatusOr<MysqlOptions> ParseMysqlDsn(const std::string& dsn);

class TestDatabase {
 public:
  static absl::StatusOr<std::unique_ptr<TestDatabase>> Create(TestBackend backend);
  ~TestDatabase();

  TestBackend backend() const { return backend_; }
  const config::DbConfig& config() const { return config_; }
  const std::string& runtime_dir() const { return dir_; }
  absl::StatusOr<std::unique_ptr<Store>> Open(const OpenOptions& options = {}) const;
  // A raw connection to the same database, for fixtures and checks.
  absl::StatusOr<std::unique_ptr<SqlConn>> Connect() const;

 private:
  TestDatabase() = default;
  TestBackend backend_ = TestBackend::kSqlite;
  config::DbConfig config_;
  std::string dir_;                   // temp dir (SQLite file and runtime dir)
  std::unique_ptr<MysqlConn> admin_;  // MariaDB: creates and drops the database
};

// Reads a whole file (fixtures).
absl::StatusOr<std::string> ReadTextFile(const std::string& path);

}  // namespace asgard::store
