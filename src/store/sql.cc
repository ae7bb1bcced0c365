// File: sql.cc
// Time text, row reading and the transaction helper shared by both backends.
#include "store/sql.h"

#include <cstdlib>

#include "absl/strings/numbers.h"

namespace asgard::store {

std::string FormatSqlTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", t, absl::UTCTimeZone());
}

namespace {

// "YYYY-MM-DD HH:MM:SS" with every field in range, read by hand: absl::ParseTime costs about a
// microsecond (and an error string) per cell, and a page of tasks has a hundred time cells.
// nullopt for anything else, which then takes absl's path.
std::optional<absl::Time> ParsePlainSqlTime(absl::string_view text) {
  if (text.size() != 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' ||
      text[13] != ':' || text[16] != ':') {
    return std::nullopt;
  }
  auto num = [&text](size_t at, size_t digits) -> int {
    int v = 0;
    for (size_t i = at; i < at + digits; ++i) {
      if (text[i] < '0' || text[i] > '9') return -1;
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  int y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
      s = num(17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || s < 0) return std::nullopt;
  absl::CivilSecond cs(y, mo, d, h, mi, s);
  // A field out of range (month 13, February 30, second 60) normalises: not this path's.
  if (cs.year() != y || cs.month() != mo || cs.day() != d || cs.hour() != h ||
      cs.minute() != mi || cs.second() != s) {
    return std::nullopt;
  }
  return absl::FromCivil(cs, absl::UTCTimeZone());
}

}  // namespace

std::optional<absl::Time> ParseSqlTime(absl::string_view text) {
  if (text.size() > 19) text = text.substr(0, 19);  // drop ".ffffff"
  if (std::optional<absl::Time> t = ParsePlainSqlTime(text)) return t;
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
