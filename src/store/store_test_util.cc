// File: store_test_util.cc
#include "store/store_test_util.h"

#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "store/sqlite_conn.h"

namespace asgard::store {
namespace {

std::string Env(const char* name) {
  const char* v = getenv(name);
  return v ? v : "";
}

}  // namespace

std::string BackendName(TestBackend backend) {
  return backend == TestBackend::kSqlite ? "Sqlite" : "MariaDb";
}

bool IsCi() { return Env("CI") == "true"; }

std::string BackendUnavailableReason(TestBackend backend) {
  if (backend == TestBackend::kSqlite || !Env("ASGARD_TEST_MYSQL").empty()) return "";
  return "ASGARD_TEST_MYSQL is not set: the MariaDB test service was not started (run the "
         "tests through scripts/test-services/with-services.sh, or eval \"$(scripts/"
         "test-services/mariadb.sh start)\")";
}

absl::StatusOr<MysqlOptions> ParseMysqlDsn(const std::string& dsn) {
  absl::string_view rest = dsn;
  if (!absl::ConsumePrefix(&rest, "mysql://")) {
    return absl::InvalidArgumentError(absl::StrCat("DSN '", dsn, "': expected mysql://..."));
  }
  MysqlOptions o;
  size_t at = rest.rfind('@');
  if (at != absl::string_view::npos) {
    absl::string_view creds = rest.substr(0, at);
    size_t colon = creds.find(':');
    o.user = std::string(creds.substr(0, colon));
    if (colon != absl::string_view::npos) o.password = std::string(creds.substr(colon + 1));
    rest.remove_prefix(at + 1);
  }
  size_t slash = rest.find('/');
  absl::string_view hostport = rest.substr(0, slash);
  o.database = slash == absl::string_view::npos ? "" : std::string(rest.substr(slash + 1));
  size_t colon = hostport.rfind(':');
  o.host = std::string(hostport.substr(0, colon));
  if (colon != absl::string_view::npos && !absl::SimpleAtoi(hostport.substr(colon + 1), &o.port)) {
    return absl::InvalidArgumentError(absl::StrCat("DSN '", dsn, "': bad port"));
  }
  return o;
}

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create(TestBackend backend) {
  static std::atomic<int> counter{0};
  std::unique_ptr<TestDatabase> db(new TestDatabase());
  db->backend_ = backend;
  std::string tmpl =
      absl::StrCat(Env("TMPDIR").empty() ? "/tmp" : Env("TMPDIR"), "/asgard-store-test.XXXXXX");
  if (mkdtemp(tmpl.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  db->dir_ = tmpl;
  if (backend == TestBackend::kSqlite) {
    db->config_.driver = "sqlite";
    return db;
  }
  ASSIGN_OR_RETURN(MysqlOptions o, ParseMysqlDsn(Env("ASGARD_TEST_MYSQL")));
  std::string name =
      absl::StrCat(o.database.empty() ? "asgard_test" : o.database, "_", getpid(), "_", counter++);
  MysqlOptions admin = o;
  admin.database = "";
  ASSIGN_OR_RETURN(db->admin_, MysqlConn::Open(admin));
  RETURN_IF_ERROR(db->admin_->ExecScript(absl::StrCat(
      "DROP DATABASE IF EXISTS `", name, "`; CREATE DATABASE `", name, "` CHARACTER SET utf8mb4")));
  db->config_ = {"mysql", "", o.host, o.port, o.user, o.password, name};
  return db;
}

TestDatabase::~TestDatabase() {
  if (Env("ASGARD_TEST_KEEP_DB") == "1") return;  // for debugging: leave the database behind
  if (admin_)
    (void)admin_->ExecScript(absl::StrCat("DROP DATABASE IF EXISTS `", config_.database, "`"));
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

absl::StatusOr<std::unique_ptr<Store>> TestDatabase::Open(const OpenOptions& options) const {
  return Store::Open(config_, dir_, options);
}

absl::StatusOr<std::unique_ptr<SqlConn>> TestDatabase::Connect() const {
  if (backend_ == TestBackend::kSqlite) {
    ASSIGN_OR_RETURN(auto conn, SqliteConn::Open(absl::StrCat(dir_, "/asgard.db")));
    return std::unique_ptr<SqlConn>(std::move(conn));
  }
  MysqlOptions o{config_.host, config_.port, config_.user, config_.password, config_.database};
  ASSIGN_OR_RETURN(auto conn, MysqlConn::Open(o));
  return std::unique_ptr<SqlConn>(std::move(conn));
}

absl::StatusOr<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace asgard::store
