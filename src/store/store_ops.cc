// File: store_ops.cc
// Groups (soft-deleted, names unique among the groups not deleted) and the operation log.
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/sql_store.h"
#include "store/store_internal.h"

namespace asgard::store {
namespace {

constexpr char kGroupSelect[] =
    "SELECT id, name, status, created_at, updated_at, creator, updator FROM `groups`";
constexpr char kOperationColumns[] = "id, user_id, type, related_id, action, created_at";

Group ReadGroupRow(const SqlRow& row) {
  RowReader r(row);
  Group g;
  g.id = r.Int();
  g.name = r.Str();
  g.status = static_cast<int>(r.Int());
  g.created_at = r.Time();
  g.updated_at = r.Time();
  g.creator = r.Int();
  g.updator = r.Int();
  return g;
}

Operation ReadOperation(const SqlRow& row) {
  RowReader r(row);
  Operation op;
  op.id = r.Int();
  op.user_id = r.Int();
  op.type = static_cast<int>(r.Int());
  op.related_id = r.Int();
  op.action = static_cast<int>(r.Int());
  op.created_at = r.Time();
  return op;
}

absl::StatusOr<Group> ReadGroup(SqlConn& c, int64_t id) {
  ASSIGN_OR_RETURN(auto rows, c.Query(absl::StrCat(kGroupSelect, " WHERE id = ?"), {id}));
  if (rows.empty()) return absl::NotFoundError(absl::StrCat("group ", id, " not found"));
  return ReadGroupRow(rows.front());
}

// The schema has no unique key on groups.name (the original's has none, and a deleted group's
// name may be taken again), so the name is checked here, inside the caller's transaction.
absl::Status RequireFreeName(SqlConn& c, const std::string& name, int64_t except_id) {
  if (name.empty()) return absl::InvalidArgumentError("name: a group needs a name");
  ASSIGN_OR_RETURN(int64_t same, c.QueryInt("SELECT COUNT(*) FROM `groups` WHERE name = ? AND "
                                            "status <> -1 AND id <> ?",
                                            {name, except_id}));
  if (same == 0) return absl::OkStatus();
  return absl::AlreadyExistsError(absl::StrCat("name: a group '", name, "' already exists"));
}

absl::Status CheckGroupStatus(int status) {
  if (status == 0 || status == 1) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("status: ", status, " is not 1 (in use) or 0 (not in use)"));
}

absl::StatusOr<Group> ReadLiveGroup(SqlConn& c, int64_t id) {
  ASSIGN_OR_RETURN(Group group, ReadGroup(c, id));
  if (group.status == -1) return absl::NotFoundError(absl::StrCat("group ", id, " is deleted"));
  return group;
}

}  // namespace

absl::StatusOr<Group> SqlStore::CreateGroup(const std::string& name, int64_t user_id, int status) {
  RETURN_IF_ERROR(CheckGroupStatus(status));
  WriteLock lock(this);
  SqlConn& c = *conn_;
  absl::Time now = options_.now();
  int64_t id = 0;
  RETURN_IF_ERROR(InTransaction(c, [&]() -> absl::Status {
    RETURN_IF_ERROR(RequireFreeName(c, name, 0));
    ASSIGN_OR_RETURN(ExecResult r, c.Exec("INSERT INTO `groups` (name, status, created_at, "
                                          "creator, updated_at, updator) "
                                          "VALUES (?, ?, ?, ?, ?, ?)",
                                          {name, status, now, user_id, now, user_id}));
    id = r.last_insert_id;
    return absl::OkStatus();
  }));
  return ReadGroup(c, id);
}

absl::StatusOr<Group> SqlStore::GetGroup(int64_t id) {
  return Read([&](SqlConn& c) { return ReadGroup(c, id); });
}

absl::StatusOr<std::map<int64_t, Group>> SqlStore::GetGroups(const std::vector<int64_t>& ids) {
  if (ids.empty()) return std::map<int64_t, Group>();
  return Read([&](SqlConn& c) { return internal::ReadByIds(c, kGroupSelect, ids, &ReadGroupRow); });
}

absl::StatusOr<std::vector<Group>> SqlStore::ListGroups(bool include_deleted) {
  return Read([&](SqlConn& c) -> absl::StatusOr<std::vector<Group>> {
    ASSIGN_OR_RETURN(auto rows, c.Query(absl::StrCat(kGroupSelect,
                                                     include_deleted ? "" : " WHERE status <> -1",
                                                     " ORDER BY id")));
    std::vector<Group> groups;
    for (const SqlRow& row : rows) groups.push_back(ReadGroupRow(row));
    return groups;
  });
}

absl::StatusOr<Group> SqlStore::UpdateGroup(int64_t id, const std::string& name, int64_t user_id,
                                            std::optional<int> status) {
  if (status) RETURN_IF_ERROR(CheckGroupStatus(*status));
  WriteLock lock(this);
  SqlConn& c = *conn_;
  absl::Time now = options_.now();
  RETURN_IF_ERROR(InTransaction(c, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(Group group, ReadLiveGroup(c, id));
    RETURN_IF_ERROR(RequireFreeName(c, name, id));
    return c
        .Exec("UPDATE `groups` SET name = ?, status = ?, updated_at = ?, updator = ? "
              "WHERE id = ?",
              {name, status.value_or(group.status), now, user_id, id})
        .status();
  }));
  return ReadGroup(c, id);
}

absl::Status SqlStore::DeleteGroup(int64_t id, int64_t user_id) {
  WriteLock lock(this);
  SqlConn& c = *conn_;
  absl::Time now = options_.now();
  return InTransaction(c, [&]() -> absl::Status {
    RETURN_IF_ERROR(ReadLiveGroup(c, id).status());
    return c
        .Exec("UPDATE `groups` SET status = -1, updated_at = ?, updator = ? WHERE id = ?",
              {now, user_id, id})
        .status();
  });
}

absl::StatusOr<int64_t> SqlStore::InsertOperation(const Operation& op) {
  WriteLock lock(this);
  absl::Time created = op.created_at == absl::Time() ? options_.now() : op.created_at;
  ASSIGN_OR_RETURN(ExecResult r,
                   conn_->Exec("INSERT INTO operations (user_id, type, related_id, "
                               "action, created_at) VALUES (?, ?, ?, ?, ?)",
                               {op.user_id, op.type, op.related_id, op.action, created}));
  return r.last_insert_id;
}

absl::StatusOr<Page<Operation>> SqlStore::ListOperations(const OperationFilter& filter) {
  internal::Where where;
  if (filter.user_id) where.Add("user_id = ?", *filter.user_id);
  if (filter.type) where.Add("type = ?", *filter.type);
  return Read([&](SqlConn& c) {
    return internal::NewestPage(c, kOperationColumns, "operations", where, filter.page,
                                filter.size, &ReadOperation);
  });
}

}  // namespace asgard::store
