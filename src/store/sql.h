// File: sql.h
// The small SQL seam under the store: one connection, statements with `?` placeholders, every
// value bound as a parameter (never spliced into the SQL text), rows read back as text cells.
// SQLite (sqlite_conn.cc) and MySQL/MariaDB (mysql_conn.cc) implement it; the store's queries
// are written once against it. Internal to src/store.
//
//   ASSIGN_OR_RETURN(auto rows, conn.Query("SELECT id, name FROM apps WHERE agent_id = ?", {7}));
//   for (const SqlRow& row : rows) { RowReader r(row); int64_t id = r.Int(); std::string n =
//   r.Str(); }
//
// Thread-safety: none; a SqlConn is used by one thread at a time (SqlStore holds a mutex).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace asgard::store {

// Times in the store are UTC, as "YYYY-MM-DD HH:MM:SS" (MySQL DATETIME; SQLite TEXT that sorts
// in time order). Sub-second parts are dropped.
std::string FormatSqlTime(absl::Time t);
// Parses what FormatSqlTime writes (a fractional part is ignored); nullopt if malformed.
std::optional<absl::Time> ParseSqlTime(absl::string_view text);

// One bound value: NULL, integer, real or text. Integers of every width and bool become int64;
// an absl::Time becomes its FormatSqlTime text; an empty optional becomes NULL.
class SqlParam {
 public:
  enum class Type { kNull, kInt, kReal, kText };
  SqlParam(std::nullptr_t) {}
  template <typename T>
  requires std::is_integral_v<T> SqlParam(T v) : type_(Type::kInt), int_(static_cast<int64_t>(v)) {}
  SqlParam(double v) : type_(Type::kReal), real_(v) {}
  SqlParam(std::string v) : type_(Type::kText), text_(std::move(v)) {}
  SqlParam(const char* v) : SqlParam(std::string(v)) {}
  SqlParam(absl::string_view v) : SqlParam(std::string(v)) {}
  SqlParam(std::string_view v) : SqlParam(std::string(v)) {}
  SqlParam(absl::Time t) : SqlParam(FormatSqlTime(t)) {}
  template <typename T>
  SqlParam(const std::optional<T>& v) {
    if (v.has_value()) *this = SqlParam(*v);
  }

  Type type() const { return type_; }
  int64_t int_value() const { return int_; }
  double real_value() const { return real_; }
  const std::string& text() const { return text_; }

 private:
  Type type_ = Type::kNull;
  int64_t int_ = 0;
  double real_ = 0;
  std::string text_;
};
using SqlParams = std::vector<SqlParam>;

// A result cell is its text form, or nullopt for NULL.
using SqlCell = std::optional<std::string>;
using SqlRow = std::vector<SqlCell>;

// Reads a row's cells left to right, converting each. A NULL reads as 0, "" or the epoch.
class RowReader {
 public:
  explicit RowReader(const SqlRow& row) : row_(row) {}
  int64_t Int();
  double Double();
  std::string Str();
  absl::Time Time();
  std::optional<int64_t> OptInt();
  std::optional<absl::Time> OptTime();

 private:
  const SqlCell& Next();
  const SqlRow& row_;
  size_t index_ = 0;
};

struct ExecResult {
  int64_t affected = 0;        // rows inserted, changed or deleted
  int64_t last_insert_id = 0;  // of an INSERT into a table with an auto-increment key
};

enum class Backend { kSqlite, kMysql };

class SqlConn {
 public:
  virtual ~SqlConn() = default;
  virtual Backend backend() const = 0;
  // One statement; `params` bind the `?` placeholders in order.
  virtual absl::StatusOr<ExecResult> Exec(const std::string& sql, const SqlParams& params) = 0;
  virtual absl::StatusOr<std::vector<SqlRow>> Query(const std::string& sql,
                                                    const SqlParams& params) = 0;
  // Several statements without parameters (DDL scripts, test fixtures).
  virtual absl::Status ExecScript(const std::string& sql) = 0;
  // BEGIN IMMEDIATE on SQLite (takes the write lock now), START TRANSACTION on MySQL.
  virtual absl::Status Begin() = 0;
  virtual absl::Status Commit() = 0;
  virtual void Rollback() = 0;

  absl::StatusOr<ExecResult> Exec(const std::string& sql) { return Exec(sql, {}); }
  absl::StatusOr<std::vector<SqlRow>> Query(const std::string& sql) { return Query(sql, {}); }
  // The single row of `sql` (NotFound if none), or of its first column as an integer.
  absl::StatusOr<SqlRow> QueryRow(const std::string& sql, const SqlParams& params);
  absl::StatusOr<int64_t> QueryInt(const std::string& sql, const SqlParams& params);
};

// Runs `body` in a transaction: commits when it returns OK, rolls back otherwise.
absl::Status InTransaction(SqlConn& conn, absl::FunctionRef<absl::Status()> body);

// "INSERT ... <this>" makes a duplicate of a unique key a silent no-op that affects 0 rows.
const char* IgnoreDuplicateClause(Backend backend);

}  // namespace asgard::store
