// File: mysql_conn.cc
// Connection, reconnection, text queries and error mapping; prepared statements are in
// mysql_stmt.cc.
#include "store/mysql_conn.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "absl/strings/str_cat.h"

namespace asgard::store {
namespace {

constexpr unsigned kReadTimeoutS = 120;  // longer than GET_LOCK's 30 s wait

absl::StatusCode CodeFor(unsigned err) {
  switch (err) {
    case ER_DUP_ENTRY:
      return absl::StatusCode::kAlreadyExists;
    case ER_LOCK_DEADLOCK:
    case ER_LOCK_WAIT_TIMEOUT:
      return absl::StatusCode::kAborted;
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
      return absl::StatusCode::kUnavailable;
    case ER_ACCESS_DENIED_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
      return absl::StatusCode::kPermissionDenied;
    case ER_BAD_DB_ERROR:
      return absl::StatusCode::kFailedPrecondition;
    case ER_DATA_TOO_LONG:
    case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
    case ER_WARN_DATA_OUT_OF_RANGE:
      return absl::StatusCode::kInvalidArgument;
    default:
      return absl::StatusCode::kInternal;
  }
}

bool IsConnectionLoss(unsigned err) { return err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST; }

}  // namespace

absl::StatusOr<std::unique_ptr<MysqlConn>> MysqlConn::Open(const MysqlOptions& options) {
  std::unique_ptr<MysqlConn> conn(new MysqlConn(options));
  if (absl::Status s = conn->Connect(); !s.ok()) return s;
  return conn;
}

MysqlConn::~MysqlConn() { Close(); }

void MysqlConn::Close() {
  for (auto& [sql, stmt] : cache_) mysql_stmt_close(stmt);
  cache_.clear();
  if (mysql_ != nullptr) mysql_close(mysql_);
  mysql_ = nullptr;
}

absl::Status MysqlConn::Connect() {
  Close();
  mysql_ = mysql_init(nullptr);
  if (mysql_ == nullptr) return absl::ResourceExhaustedError("mysql: mysql_init failed");
  unsigned timeout = options_.connect_timeout_s;
  mysql_options(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_options(mysql_, MYSQL_OPT_READ_TIMEOUT, &kReadTimeoutS);
  mysql_options(mysql_, MYSQL_OPT_WRITE_TIMEOUT, &kReadTimeoutS);
  mysql_options(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  const char* db = options_.database.empty() ? nullptr : options_.database.c_str();
  if (mysql_real_connect(mysql_, options_.host.c_str(), options_.user.c_str(),
                         options_.password.c_str(), db, options_.port, nullptr, 0) == nullptr) {
    absl::Status s = Error(mysql_errno(mysql_), mysql_error(mysql_), "connect");
    Close();
    return absl::Status(s.code(), absl::StrCat("cannot connect to MySQL at ", options_.host, ":",
                                               options_.port, " database '", options_.database,
                                               "' as '", options_.user, "': ", s.message()));
  }
  lost_ = false;
  in_txn_ = false;
  if (absl::Status s = TextQuery(
          "SET time_zone = '+00:00', "
          "sql_mode = 'STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
      !s.ok()) {
    return s;
  }
  // Its own statement: the variable behind it is named differently across MySQL and MariaDB
  // versions (tx_read_only, transaction_read_only).
  return options_.read_only ? TextQuery("SET SESSION TRANSACTION READ ONLY") : absl::OkStatus();
}

absl::Status MysqlConn::Error(unsigned err, const char* msg, const std::string& sql) {
  lost_ = IsConnectionLoss(err);
  return absl::Status(CodeFor(err),
                      absl::StrCat("mysql: ", msg, " (errno ", err, ") in: ", sql.substr(0, 120)));
}

absl::Status MysqlConn::WithReconnect(const std::string& sql,
                                      absl::FunctionRef<absl::Status()> run) {
  if (mysql_ == nullptr || lost_) {
    if (in_txn_) return absl::UnavailableError("mysql: connection lost inside a transaction");
    if (absl::Status s = Connect(); !s.ok()) return s;
  }
  absl::Status s = run();
  if (s.ok() || !lost_ || in_txn_) return s;
  if (absl::Status c = Connect(); !c.ok()) return c;
  return run();
}

absl::Status MysqlConn::TextQuery(const std::string& sql) {
  if (mysql_real_query(mysql_, sql.data(), sql.size()) != 0) {
    return Error(mysql_errno(mysql_), mysql_error(mysql_), sql);
  }
  // Drain every result (a script may have several).
  int more = 0;
  do {
    if (MYSQL_RES* res = mysql_store_result(mysql_)) mysql_free_result(res);
    more = mysql_next_result(mysql_);
    if (more > 0) return Error(mysql_errno(mysql_), mysql_error(mysql_), sql);
  } while (more == 0);
  return absl::OkStatus();
}

absl::Status MysqlConn::ExecScript(const std::string& sql) {
  return WithReconnect(sql, [&]() -> absl::Status {
    mysql_set_server_option(mysql_, MYSQL_OPTION_MULTI_STATEMENTS_ON);
    absl::Status s = TextQuery(sql);
    if (!lost_) mysql_set_server_option(mysql_, MYSQL_OPTION_MULTI_STATEMENTS_OFF);
    return s;
  });
}

absl::StatusOr<ExecResult> MysqlConn::Exec(const std::string& sql, const SqlParams& params) {
  ExecResult result;
  absl::Status s = WithReconnect(sql, [&] { return Run(sql, params, nullptr, &result); });
  if (!s.ok()) return s;
  return result;
}

absl::StatusOr<std::vector<SqlRow>> MysqlConn::Query(const std::string& sql,
                                                     const SqlParams& params) {
  std::vector<SqlRow> rows;
  absl::Status s = WithReconnect(sql, [&] {
    rows.clear();
    return Run(sql, params, &rows, nullptr);
  });
  if (!s.ok()) return s;
  return rows;
}

absl::Status MysqlConn::Begin() {
  absl::Status s =
      WithReconnect("START TRANSACTION", [&] { return TextQuery("START TRANSACTION"); });
  if (s.ok()) in_txn_ = true;
  return s;
}

absl::Status MysqlConn::Commit() {
  absl::Status s = TextQuery("COMMIT");
  in_txn_ = false;
  return s;
}

void MysqlConn::Rollback() {
  if (mysql_ != nullptr && !lost_) (void)TextQuery("ROLLBACK");
  in_txn_ = false;
}

}  // namespace asgard::store
