// File: sqlite_conn.h
// SqlConn on one SQLite connection: WAL journal, a busy timeout (so a second process waits for
// the write lock instead of failing), prepared statements cached by SQL text; or a read-only
// connection beside it (OpenReader).
//
//   ASSIGN_OR_RETURN(std::unique_ptr<SqliteConn> conn, SqliteConn::Open("runtime/asgard.db"));
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "store/sql.h"

struct sqlite3;
struct sqlite3_stmt;

namespace asgard::store {

class SqliteConn final : public SqlConn {
 public:
  // Opens (creating if missing) the database file and switches it to WAL.
  static absl::StatusOr<std::unique_ptr<SqliteConn>> Open(const std::string& path);
  // A second connection to an existing WAL database that only reads (PRAGMA query_only: a
  // write fails with SQLITE_READONLY). WAL lets it read while another connection writes; each
  // statement sees what was committed before it started.
  static absl::StatusOr<std::unique_ptr<SqliteConn>> OpenReader(const std::string& path);
  ~SqliteConn() override;
  SqliteConn(const SqliteConn&) = delete;
  SqliteConn& operator=(const SqliteConn&) = delete;

  Backend backend() const override { return Backend::kSqlite; }
  using SqlConn::Exec;
  using SqlConn::Query;
  absl::StatusOr<ExecResult> Exec(const std::string& sql, const SqlParams& params) override;
  absl::StatusOr<std::vector<SqlRow>> Query(const std::string& sql,
                                            const SqlParams& params) override;
  absl::Status ExecScript(const std::string& sql) override;
  absl::Status Begin() override;
  absl::Status Commit() override;
  void Rollback() override;

  // After each commit of this connection, calls `committed` with the pages now in the WAL
  // instead of running SQLite's automatic checkpoint in the committing call (sqlite3_wal_hook);
  // `committed` runs on the committing thread and must be quick. nullptr gives the automatic
  // checkpoint back.
  void OnWalCommit(std::function<void(int wal_pages)> committed);
  // A PASSIVE checkpoint: copies into the database file the part of the WAL that no reader
  // still needs, and syncs it, without waiting for the writer or the readers. Returns how many
  // pages of the WAL are in the database file now (0 when another checkpoint was running).
  absl::StatusOr<int> Checkpoint();

 private:
  explicit SqliteConn(sqlite3* db) : db_(db) {}
  static absl::StatusOr<std::unique_ptr<SqliteConn>> OpenWith(const std::string& path, int flags,
                                                              const std::string& pragmas);
  // A cached statement with `params` bound; reset by the caller's StmtReset.
  absl::StatusOr<sqlite3_stmt*> Prepare(const std::string& sql, const SqlParams& params);
  absl::Status Error(int rc, const std::string& sql) const;

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;  // SQL text -> prepared statement
  std::function<void(int)> wal_committed_;                 // OnWalCommit's; may be empty
};

}  // namespace asgard::store
