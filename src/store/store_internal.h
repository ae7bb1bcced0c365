// File: store_internal.h
// Helpers shared by the store_*.cc files; each runs on a connection the caller has locked.
#pragma once

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "store/records.h"
#include "store/sql.h"

namespace asgard::store::internal {

absl::StatusOr<Agent> ReadAgent(SqlConn& conn, int64_t id);  // NotFound names the id
// assignment_version + 1 (nothing if the agent does not exist).
absl::Status BumpVersion(SqlConn& conn, int64_t agent_id);
absl::StatusOr<Task> ReadTask(SqlConn& conn, TaskKind kind, int64_t id);
absl::StatusOr<std::vector<Task>> ReadTasks(SqlConn& conn, TaskKind kind, const std::string& where,
                                            const SqlParams& params);
// NotFound unless the row exists and is not deleted.
absl::StatusOr<Task> ReadLiveTask(SqlConn& conn, TaskKind kind, int64_t id);

// Re-applies the run-as rule to the tasks `user` created or last wrote, after their rights
// changed: a named account they may no longer choose becomes "" (updated_at = now); each task
// they created, and each one reset, is returned, and its agent's version bumped (once).
absl::StatusOr<std::vector<TaskRef>> RecheckRunAs(SqlConn& conn, const User& user, absl::Time now);
// input.user as the writer `user_id` may store it (run_as.h): "" when they may not name it.
absl::StatusOr<std::string> AllowedRunAs(SqlConn& conn, int64_t user_id, const std::string& user);

// "a!%b" for LIKE ... ESCAPE '!': the text matches literally, inside %...%.
std::string LikeContains(const std::string& text);

// Runs read(" IN (?, ...)", params) for the distinct `ids`, at most 256 at a time. Each list
// is padded to a power of two (the last id repeated), so that lists of every length share a
// few prepared statements instead of filling the statement cache with one per length.
absl::Status ForIdLists(const std::vector<int64_t>& ids,
                        absl::FunctionRef<absl::Status(const std::string&, const SqlParams&)> read);

// The rows of `select` + " WHERE id IN (...)" for `ids`, each made into a T by `read_row`, by
// id; ids without a row are absent.
template <typename T>
absl::StatusOr<std::map<int64_t, T>> ReadByIds(SqlConn& conn, const std::string& select,
                                               const std::vector<int64_t>& ids,
                                               T (*read_row)(const SqlRow&)) {
  std::map<int64_t, T> found;
  absl::Status status = ForIdLists(ids, [&](const std::string& in, const SqlParams& params) {
    absl::StatusOr<std::vector<SqlRow>> rows = conn.Query(absl::StrCat(select, " WHERE id", in),
                                                          params);
    if (!rows.ok()) return rows.status();
    for (const SqlRow& row : *rows) {
      T value = read_row(row);
      const int64_t id = value.id;
      found.emplace(id, std::move(value));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return found;
}

// Rows of "SELECT status, COUNT(*) ... GROUP BY status" as status -> count.
std::map<int, int64_t> ReadCounts(const std::vector<SqlRow>& rows);

// Paging of the lists: size clamped to [1, 1000]; pages count from 1 (lower reads as 1).
inline int PageSize(int size) { return std::clamp(size, 1, 1000); }
inline int64_t PageOffset(int page, int clamped_size) {
  return static_cast<int64_t>(std::max(page, 1) - 1) * clamped_size;
}

// A WHERE clause grown from optional filters; every value is a bound parameter.
struct Where {
  std::string sql = "WHERE 1 = 1";
  SqlParams params;
  // Appends " AND <clause>"; `clause` holds one `?`, for `value`.
  void Add(const std::string& clause, SqlParam value) {
    absl::StrAppend(&sql, " AND ", clause);
    params.push_back(std::move(value));
  }
};

// One page of "SELECT <columns> FROM <table> <where>", newest (highest id) first, with the
// count of every matching row as the total; each row read by `read`.
template <typename T>
absl::StatusOr<Page<T>> NewestPage(SqlConn& conn, const std::string& columns,
                                   const std::string& table, const Where& where, int page,
                                   int size, T (*read)(const SqlRow&)) {
  size = PageSize(size);
  Page<T> out;
  absl::StatusOr<int64_t> total =
      conn.QueryInt(absl::StrCat("SELECT COUNT(*) FROM ", table, " ", where.sql), where.params);
  if (!total.ok()) return total.status();
  out.total = *total;
  SqlParams params = where.params;
  params.push_back(size);
  params.push_back(PageOffset(page, size));
  absl::StatusOr<std::vector<SqlRow>> rows =
      conn.Query(absl::StrCat("SELECT ", columns, " FROM ", table, " ", where.sql,
                              " ORDER BY id DESC LIMIT ? OFFSET ?"),
                 params);
  if (!rows.ok()) return rows.status();
  out.items.reserve(rows->size());
  for (const SqlRow& row : *rows) out.items.push_back(read(row));
  return out;
}

}  // namespace asgard::store::internal
