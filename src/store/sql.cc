// File: sql.cc
// Time text, row reading and the transaction helper shared by both backends.
#include "store/sql.h"

#include <cstdlib>

#include "absl/strings/numbers.h"

namespace asgard::store {

std::string FormatSqlTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", t, absl::UTCTimeZone());
}

std::optional<absl::Time> ParseSqlTime(absl::string_view text) {
  if (text.size() > 19) text = text.substr(0, 19);  // drop ".ffffff"
  absl::Time t;
  std::string err;
  if (!absl::ParseTime("%Y-%m-%d %H:%M:%S", text, absl::UTCTimeZone(), &t, &err)) {
    return std::nullopt;
  }
  return t;
}

const SqlCell& RowReader::Next() {
  static const SqlCell kMissing;
  if (index_ >= row_.size()) return kMissing;
  return row_[index_++];
}

int64_t RowReader::Int() { return OptInt().value_or(0); }

std::optional<int64_t> RowReader::OptInt() {
  const SqlCell& cell = Next();
  if (!cell) return std::nullopt;
  int64_t v = 0;
  if (absl::SimpleAtoi(*cell, &v)) return v;
  double d = 0;  // SQLite may hand back "3.0" for an integer written through a REAL path
  if (absl::SimpleAtod(*cell, &d)) return static_cast<int64_t>(d);
  return 0;
}

double RowReader::Double() {
  const SqlCell& cell = Next();
  double v = 0;
  if (cell && absl::SimpleAtod(*cell, &v)) return v;
  return 0;
}

std::string RowReader::Str() {
  const SqlCell& cell = Next();
  return cell ? *cell : std::string();
}

absl::Time RowReader::Time() { return OptTime().value_or(absl::UnixEpoch()); }

std::optional<absl::Time> RowReader::OptTime() {
  const SqlCell& cell = Next();
  if (!cell) return std::nullopt;
  return ParseSqlTime(*cell);
}

absl::StatusOr<SqlRow> SqlConn::QueryRow(const std::string& sql, const SqlParams& params) {
  absl::StatusOr<std::vector<SqlRow>> rows = Query(sql, params);
  if (!rows.ok()) return rows.status();
  if (rows->empty()) return absl::NotFoundError("no row");
  return std::move(rows->front());
}

absl::StatusOr<int64_t> SqlConn::QueryInt(const std::string& sql, const SqlParams& params) {
  absl::StatusOr<SqlRow> row = QueryRow(sql, params);
  if (!row.ok()) return row.status();
  return RowReader(*row).Int();
}

absl::Status InTransaction(SqlConn& conn, absl::FunctionRef<absl::Status()> body) {
  if (absl::Status s = conn.Begin(); !s.ok()) return s;
  absl::Status s = body();
  if (!s.ok()) {
    conn.Rollback();
    return s;
  }
  return conn.Commit();
}

const char* IgnoreDuplicateClause(Backend backend) {
  return backend == Backend::kSqlite ? " ON CONFLICT DO NOTHING"
                                     : " ON DUPLICATE KEY UPDATE id = id";
}

}  // namespace asgard::store
