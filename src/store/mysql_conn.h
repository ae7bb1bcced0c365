// File: mysql_conn.h
// SqlConn on one MySQL/MariaDB connection (MariaDB Connector/C): server-side prepared statements
// with every value bound, cached by SQL text; the session runs in UTC (time_zone '+00:00') and
// utf8mb4. A lost connection (server restart, idle timeout) is reopened on the next call, and a
// statement that failed because of it is retried once when no transaction was open.
//
//   MysqlOptions o{.host = "127.0.0.1", .port = 3306, .user = "root", .database = "asgard"};
//   ASSIGN_OR_RETURN(std::unique_ptr<MysqlConn> conn, MysqlConn::Open(o));
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "store/sql.h"

struct st_mysql;
struct st_mysql_stmt;

namespace asgard::store {

struct MysqlOptions {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string user;
  std::string password;
  std::string database;  // "" = none selected (administrative connections)
  int connect_timeout_s = 10;
  // SET SESSION TRANSACTION READ ONLY on every (re)connection: a write fails (the SqlStore's read
  // connections).
  bool read_only = false;
};

class MysqlConn final : public SqlConn {
 public:
  static absl::StatusOr<std::unique_ptr<MysqlConn>> Open(const MysqlOptions& options);
  ~MysqlConn() override;
  MysqlConn(const MysqlConn&) = delete;
  MysqlConn& operator=(const MysqlConn&) = delete;

  Backend backend() const override { return Backend::kMysql; }
  using SqlConn::Exec;
  using SqlConn::Query;
  absl::StatusOr<ExecResult> Exec(const std::string& sql, const SqlParams& params) override;
  absl::StatusOr<std::vector<SqlRow>> Query(const std::string& sql,
                                            const SqlParams& params) override;
  absl::Status ExecScript(const std::string& sql) override;
  absl::Status Begin() override;
  absl::Status Commit() override;
  void Rollback() override;

 private:
  explicit MysqlConn(MysqlOptions options) : options_(std::move(options)) {}
  absl::Status Connect();
  void Close();
  // Reconnects first if the connection was lost; retries `run` once after a loss outside a
  // transaction.
  absl::Status WithReconnect(const std::string& sql, absl::FunctionRef<absl::Status()> run);
  absl::Status Run(const std::string& sql, const SqlParams& params, std::vector<SqlRow>* rows,
                   ExecResult* result);
  absl::StatusOr<st_mysql_stmt*> Prepare(const std::string& sql);
  absl::Status TextQuery(const std::string& sql);
  absl::Status Error(unsigned err, const char* msg, const std::string& sql);

  MysqlOptions options_;
  st_mysql* mysql_ = nullptr;
  bool lost_ = false;                                      // the last error was a lost connection
  bool in_txn_ = false;                                    // between Begin and Commit/Rollback
  std::unordered_map<std::string, st_mysql_stmt*> cache_;  // SQL text -> prepared statement
};

}  // namespace asgard::store
