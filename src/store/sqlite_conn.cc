// File: sqlite_conn.cc
#include "store/sqlite_conn.h"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"

namespace asgard::store {
namespace {

constexpr int kBusyTimeoutMs = 30000;
constexpr size_t kMaxCachedStatements = 256;
constexpr int kAutoCheckpointPages = 1000;  // SQLite's default

// Resets a cached statement when the call that used it returns.
struct StmtReset {
  sqlite3_stmt* stmt;
  ~StmtReset() {
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
};

absl::StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
                 ? absl::StatusCode::kAlreadyExists
                 : absl::StatusCode::kInvalidArgument;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return absl::StatusCode::kUnavailable;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
      return absl::StatusCode::kFailedPrecondition;
    default:
      return absl::StatusCode::kInternal;
  }
}

absl::Status Bind(sqlite3_stmt* stmt, int index, const SqlParam& param) {
  int rc = SQLITE_OK;
  switch (param.type()) {
    case SqlParam::Type::kInt:
      rc = sqlite3_bind_int64(stmt, index, param.int_value());
      break;
    case SqlParam::Type::kReal:
      rc = sqlite3_bind_double(stmt, index, param.real_value());
      break;
    case SqlParam::Type::kText:
      rc = sqlite3_bind_text64(stmt, index, param.text().data(), param.text().size(),
                               SQLITE_TRANSIENT, SQLITE_UTF8);
      break;
    case SqlParam::Type::kNull:
      rc = sqlite3_bind_null(stmt, index);
      break;
  }
  if (rc != SQLITE_OK) return absl::InternalError(absl::StrCat("sqlite: bind #", index, " failed"));
  return absl::OkStatus();
}

SqlRow ReadRow(sqlite3_stmt* stmt) {
  int n = sqlite3_column_count(stmt);
  SqlRow row;
  row.reserve(n);
  for (int i = 0; i < n; ++i) {
    int type = sqlite3_column_type(stmt, i);
    if (type == SQLITE_NULL) {
      row.emplace_back(std::nullopt);
      continue;
    }
    if (type == SQLITE_INTEGER) {
      // The same decimal text SQLite would make, without its printf and the allocation that
      // keeps the text in the statement (a page of tasks has hundreds of integer cells).
      char digits[24];
      auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), sqlite3_column_int64(stmt, i));
      row.emplace_back(std::string(digits, end));
      continue;
    }
    if (type == SQLITE_FLOAT) {
      // The shortest text that reads back as the same double. SQLite's own text of a REAL is
      // printf's %!.15g, which costs more than the rest of the row (a chart reads hundreds of
      // samples) and rounds away the last digits of what was stored.
      char digits[32];
      auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), sqlite3_column_double(stmt, i));
      row.emplace_back(std::string(digits, end));
      continue;
    }
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
    row.emplace_back(std::string(text ? text : "", sqlite3_column_bytes(stmt, i)));
  }
  return row;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteConn>> SqliteConn::Open(const std::string& path) {
  // A page cache of up to 64 MiB instead of SQLite's 2 MiB: agents' reports insert into the
  // monitor tables' indexes at places spread all over them, and with 2 MiB each insert read its
  // pages back from the file and a large transaction spilled dirty pages into the WAL before
  // its commit (then wrote them again). The ingest bench's p99 at 15,000 samples/s fell from
  // 60-70 ms to 8 ms (bench/README.md). Pages are only cached once read: a small database costs
  // what it holds.
  return OpenWith(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                  "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                  "PRAGMA cache_size = -65536;");
}

absl::StatusOr<std::unique_ptr<SqliteConn>> SqliteConn::OpenReader(const std::string& path) {
  // Read-write at the file level (a WAL reader writes its marks into the -shm index), read-only
  // at the SQL level.
  return OpenWith(path, SQLITE_OPEN_READWRITE, "PRAGMA query_only = 1;");
}

absl::StatusOr<std::unique_ptr<SqliteConn>> SqliteConn::OpenWith(const std::string& path,
                                                                 int flags,
                                                                 const std::string& pragmas) {
  sqlite3* db = nullptr;
  // NOMUTEX: a SqlConn is used by one thread at a time (sql.h), so SQLite's own per-connection
  // mutex would only be taken and released around every call.
  int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return absl::Status(CodeFor(rc), absl::StrCat("sqlite: cannot open ", path, ": ", msg));
  }
  std::unique_ptr<SqliteConn> conn(new SqliteConn(db));
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  sqlite3_extended_result_codes(db, 1);
  // Switching a new file to WAL needs it to itself, and SQLite answers BUSY at once, without
  // its busy handler, while another process opens the same file (two web nodes starting
  // together): try again for as long as the busy timeout.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  absl::Status s = conn->ExecScript(pragmas);
  while (absl::IsUnavailable(s) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    s = conn->ExecScript(pragmas);
  }
  if (!s.ok()) return s;
  return conn;
}

SqliteConn::~SqliteConn() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

absl::Status SqliteConn::Error(int rc, const std::string& sql) const {
  return absl::Status(CodeFor(rc), absl::StrCat("sqlite: ", sqlite3_errmsg(db_), " (code ", rc,
                                                ") in: ", sql.substr(0, 120)));
}

absl::StatusOr<sqlite3_stmt*> SqliteConn::Prepare(const std::string& sql, const SqlParams& params) {
  sqlite3_stmt* stmt = nullptr;
  if (auto it = cache_.find(sql); it != cache_.end()) {
    stmt = it->second;
  } else {
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return Error(rc, sql);
    if (cache_.size() >= kMaxCachedStatements) {
      for (auto& [text, old] : cache_) sqlite3_finalize(old);
      cache_.clear();
    }
    cache_.emplace(sql, stmt);
  }
  if (sqlite3_bind_parameter_count(stmt) != static_cast<int>(params.size())) {
    return absl::InternalError(absl::StrCat("sqlite: ", params.size(), " parameters for ",
                                            sqlite3_bind_parameter_count(stmt), " in: ", sql));
  }
  for (size_t i = 0; i < params.size(); ++i) {
    if (absl::Status s = Bind(stmt, static_cast<int>(i + 1), params[i]); !s.ok()) return s;
  }
  return stmt;
}

absl::StatusOr<ExecResult> SqliteConn::Exec(const std::string& sql, const SqlParams& params) {
  absl::StatusOr<sqlite3_stmt*> stmt = Prepare(sql, params);
  if (!stmt.ok()) return stmt.status();
  StmtReset reset{*stmt};
  int rc;
  while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) {
  }
  if (rc != SQLITE_DONE) return Error(rc, sql);
  return ExecResult{sqlite3_changes64(db_), sqlite3_last_insert_rowid(db_)};
}

absl::StatusOr<std::vector<SqlRow>> SqliteConn::Query(const std::string& sql,
                                                      const SqlParams& params) {
  absl::StatusOr<sqlite3_stmt*> stmt = Prepare(sql, params);
  if (!stmt.ok()) return stmt.status();
  StmtReset reset{*stmt};
  std::vector<SqlRow> rows;
  int rc;
  while ((rc = sqlite3_step(*stmt)) == SQLITE_ROW) rows.push_back(ReadRow(*stmt));
  if (rc != SQLITE_DONE) return Error(rc, sql);
  return rows;
}

absl::Status SqliteConn::ExecScript(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return absl::OkStatus();
  std::string msg = err ? err : sqlite3_errstr(rc);
  sqlite3_free(err);
  return absl::Status(CodeFor(rc), absl::StrCat("sqlite: ", msg, " in: ", sql.substr(0, 120)));
}

void SqliteConn::OnWalCommit(std::function<void(int wal_pages)> committed) {
  wal_committed_ = std::move(committed);
  if (!wal_committed_) {
    sqlite3_wal_autocheckpoint(db_, kAutoCheckpointPages);
    return;
  }
  sqlite3_wal_hook(
      db_,
      [](void* self, sqlite3*, const char*, int pages) {
        static_cast<SqliteConn*>(self)->wal_committed_(pages);
        return SQLITE_OK;
      },
      this);
}

absl::StatusOr<int> SqliteConn::Checkpoint() {
  int wal_pages = 0, copied = 0;
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_pages,
                                     &copied);
  if (rc == SQLITE_BUSY) return 0;  // another checkpoint runs
  if (rc != SQLITE_OK) return Error(rc, "checkpoint");
  return std::max(copied, 0);
}

absl::Status SqliteConn::Begin() { return ExecScript("BEGIN IMMEDIATE"); }
absl::Status SqliteConn::Commit() { return ExecScript("COMMIT"); }
void SqliteConn::Rollback() {
  if (!sqlite3_get_autocommit(db_)) (void)ExecScript("ROLLBACK");
}

}  // namespace asgard::store
