// File: mysql_stmt.cc
// MysqlConn's prepared statements: bind every parameter, execute, fetch every column as text.
#include <mysql.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "store/mysql_conn.h"

namespace asgard::store {
namespace {

constexpr size_t kMaxCachedStatements = 256;
constexpr unsigned long kMinCellBuffer = 64;  // numbers and DATETIME text fit

// Storage that the MYSQL_BIND array of the parameters points into.
struct ParamBinds {
  std::vector<MYSQL_BIND> binds;
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::vector<unsigned long> lengths;

  explicit ParamBinds(const SqlParams& params)
      : binds(params.size()), ints(params.size()), doubles(params.size()), lengths(params.size()) {
    for (size_t i = 0; i < params.size(); ++i) Set(i, params[i]);
  }
  void Set(size_t i, const SqlParam& p) {
    MYSQL_BIND& b = binds[i];
    switch (p.type()) {
      case SqlParam::Type::kInt:
        ints[i] = p.int_value();
        b.buffer_type = MYSQL_TYPE_LONGLONG;
        b.buffer = &ints[i];
        break;
      case SqlParam::Type::kReal:
        doubles[i] = p.real_value();
        b.buffer_type = MYSQL_TYPE_DOUBLE;
        b.buffer = &doubles[i];
        break;
      case SqlParam::Type::kText:
        lengths[i] = p.text().size();
        b.buffer_type = MYSQL_TYPE_STRING;
        b.buffer = const_cast<char*>(p.text().data());
        b.buffer_length = p.text().size();
        b.length = &lengths[i];
        break;
      case SqlParam::Type::kNull:
        b.buffer_type = MYSQL_TYPE_NULL;
        break;
    }
  }
};

// Output buffers for one result set: every column fetched as text.
struct ResultBinds {
  std::vector<MYSQL_BIND> binds;
  std::vector<std::string> bufs;
  std::vector<unsigned long> lengths;
  std::vector<my_bool> nulls, errors;

  explicit ResultBinds(MYSQL_RES* meta)
      : binds(mysql_num_fields(meta)),
        bufs(binds.size()),
        lengths(binds.size()),
        nulls(binds.size()),
        errors(binds.size()) {
    MYSQL_FIELD* fields = mysql_fetch_fields(meta);
    for (size_t i = 0; i < binds.size(); ++i) {
      bufs[i].resize(std::max(fields[i].max_length, kMinCellBuffer) + 1);
      binds[i].buffer_type = MYSQL_TYPE_STRING;
      binds[i].buffer = bufs[i].data();
      binds[i].buffer_length = bufs[i].size();
      binds[i].length = &lengths[i];
      binds[i].is_null = &nulls[i];
      binds[i].error = &errors[i];
    }
  }

  // The current row; a cell longer than its buffer is fetched again whole.
  bool Row(MYSQL_STMT* stmt, SqlRow* row) {
    row->assign(binds.size(), std::nullopt);
    for (unsigned i = 0; i < binds.size(); ++i) {
      if (nulls[i]) continue;
      if (lengths[i] <= bufs[i].size()) {
        (*row)[i] = std::string(bufs[i].data(), lengths[i]);
        continue;
      }
      std::string big(lengths[i], '\0');
      MYSQL_BIND b = binds[i];
      b.buffer = big.data();
      b.buffer_length = big.size();
      if (mysql_stmt_fetch_column(stmt, &b, i, 0) != 0) return false;
      (*row)[i] = std::move(big);
    }
    return true;
  }
};

// Reads every row of an executed statement that has a result set (`rows` may be null: drain).
bool FetchAll(MYSQL_STMT* stmt, MYSQL_RES* meta, std::vector<SqlRow>* rows) {
  if (mysql_stmt_store_result(stmt) != 0) return false;
  ResultBinds out(meta);
  if (!out.binds.empty() && mysql_stmt_bind_result(stmt, out.binds.data()) != 0) return false;
  int rc;
  while ((rc = mysql_stmt_fetch(stmt)) == 0 || rc == MYSQL_DATA_TRUNCATED) {
    if (rows == nullptr) continue;
    SqlRow row;
    if (!out.Row(stmt, &row)) return false;
    rows->push_back(std::move(row));
  }
  return rc == MYSQL_NO_DATA;
}

}  // namespace

absl::StatusOr<MYSQL_STMT*> MysqlConn::Prepare(const std::string& sql) {
  if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
  MYSQL_STMT* stmt = mysql_stmt_init(mysql_);
  if (stmt == nullptr) return absl::ResourceExhaustedError("mysql: mysql_stmt_init failed");
  if (mysql_stmt_prepare(stmt, sql.data(), sql.size()) != 0) {
    absl::Status s = Error(mysql_stmt_errno(stmt), mysql_stmt_error(stmt), sql);
    mysql_stmt_close(stmt);
    return s;
  }
  my_bool update_max_length = 1;
  mysql_stmt_attr_set(stmt, STMT_ATTR_UPDATE_MAX_LENGTH, &update_max_length);
  if (cache_.size() >= kMaxCachedStatements) {
    for (auto& [text, old] : cache_) mysql_stmt_close(old);
    cache_.clear();
  }
  cache_.emplace(sql, stmt);
  return stmt;
}

absl::Status MysqlConn::Run(const std::string& sql, const SqlParams& params,
                            std::vector<SqlRow>* rows, ExecResult* result) {
  absl::StatusOr<MYSQL_STMT*> prepared = Prepare(sql);
  if (!prepared.ok()) return prepared.status();
  MYSQL_STMT* stmt = *prepared;
  auto fail = [&] { return Error(mysql_stmt_errno(stmt), mysql_stmt_error(stmt), sql); };
  if (mysql_stmt_param_count(stmt) != params.size()) {
    return absl::InternalError(absl::StrCat("mysql: ", params.size(), " parameters for ",
                                            mysql_stmt_param_count(stmt), " in: ", sql));
  }
  ParamBinds binds(params);
  if (!params.empty() && mysql_stmt_bind_param(stmt, binds.binds.data()) != 0) return fail();
  if (mysql_stmt_execute(stmt) != 0) return fail();
  if (result != nullptr) {
    result->affected = static_cast<int64_t>(mysql_stmt_affected_rows(stmt));
    result->last_insert_id = static_cast<int64_t>(mysql_stmt_insert_id(stmt));
  }
  MYSQL_RES* meta = mysql_stmt_result_metadata(stmt);
  if (meta == nullptr) return absl::OkStatus();  // no result set
  bool ok = FetchAll(stmt, meta, rows);
  mysql_free_result(meta);
  absl::Status s = ok ? absl::OkStatus() : fail();
  mysql_stmt_free_result(stmt);
  return s;
}

}  // namespace asgard::store
