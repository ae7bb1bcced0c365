// File: store_web.cc
// The web node's paged lists (archives, exceptions, operations), its edits of agents, groups
// and users, and the dashboard's counts.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/store.h"
#include "store/store_internal.h"

namespace asgard::store {
namespace {

int Size(int size) { return std::clamp(size, 1, 1000); }
int64_t Offset(int page, int size) { return static_cast<int64_t>(std::max(page, 1) - 1) * size; }

// Appends " AND <clause>" with its value.
struct Where {
  std::string sql = "WHERE 1 = 1";
  SqlParams params;
  void Add(const std::string& clause, SqlParam value) {
    absl::StrAppend(&sql, " AND ", clause);
    params.push_back(std::move(value));
  }
};

absl::Status Unique(SqlConn& c, const char* column, const std::string& value, int64_t id) {
  if (value.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(int64_t n, c.QueryInt(absl::StrCat("SELECT COUNT(*) FROM users WHERE ",
                                                      column, " = ? AND id <> ?"),
                                         {value, id}));
  if (n > 0) return absl::AlreadyExistsError(absl::StrCat(column, ": '", value, "' is taken"));
  return absl::OkStatus();
}

}  // namespace

absl::Status Store::SetAgentAlias(int64_t agent_id, const std::string& alias) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(int64_t n, conn_->QueryInt("SELECT COUNT(*) FROM agents WHERE id = ?",
                                              {agent_id}));
  if (n == 0) return absl::NotFoundError(absl::StrCat("no agent ", agent_id));
  return conn_
      ->Exec("UPDATE agents SET alias = ?, updated_at = ? WHERE id = ?",
             {alias, options_.now(), agent_id})
      .status();
}

absl::StatusOr<Page<ArchiveRecord>> Store::ListArchivesPage(int type, int64_t related_id,
                                                            int page, int size) {
  size = Size(size);
  absl::MutexLock lock(&mu_);
  Page<ArchiveRecord> out;
  ASSIGN_OR_RETURN(out.total,
                   conn_->QueryInt("SELECT COUNT(*) FROM archives WHERE type = ? AND "
                                   "related_id = ?",
                                   {type, related_id}));
  ASSIGN_OR_RETURN(auto rows,
                   conn_->Query("SELECT id, type, related_id, uuid, seq, pid, begin_time, "
                                "end_time, status, `signal`, created_at FROM archives "
                                "WHERE type = ? AND related_id = ? ORDER BY id DESC "
                                "LIMIT ? OFFSET ?",
                                {type, related_id, size, Offset(page, size)}));
  for (const SqlRow& row : rows) {
    RowReader r(row);
    ArchiveRecord a;
    a.id = r.Int();
    a.type = static_cast<int>(r.Int());
    a.related_id = r.Int();
    a.uuid = r.Str();
    a.seq = r.Int();
    a.pid = r.Int();
    a.begin_time = r.Time();
    a.end_time = r.Time();
    a.status = static_cast<int>(r.Int());
    a.signal = r.Str();
    a.created_at = r.Time();
    out.items.push_back(std::move(a));
  }
  return out;
}

absl::StatusOr<Page<ExceptionRecord>> Store::ListExceptionsPage(const ExceptionFilter& filter) {
  Where w;
  if (filter.type) w.Add("type = ?", *filter.type);
  if (filter.related_id) w.Add("related_id = ?", *filter.related_id);
  if (filter.creator) {
    // The user's own tasks only, whichever kind the exception is about.
    absl::StrAppend(&w.sql,
                    " AND ((type = 2 AND related_id IN (SELECT id FROM apps WHERE creator = ?))"
                    " OR (type = 3 AND related_id IN (SELECT id FROM jobs WHERE creator = ?))"
                    " OR (type = 4 AND related_id IN (SELECT id FROM timings WHERE creator = ?)))");
    for (int i = 0; i < 3; ++i) w.params.push_back(*filter.creator);
  }
  int size = Size(filter.size);
  absl::MutexLock lock(&mu_);
  Page<ExceptionRecord> out;
  ASSIGN_OR_RETURN(out.total,
                   conn_->QueryInt(absl::StrCat("SELECT COUNT(*) FROM exceptions ", w.sql),
                                   w.params));
  SqlParams params = w.params;
  params.push_back(size);
  params.push_back(Offset(filter.page, size));
  ASSIGN_OR_RETURN(auto rows,
                   conn_->Query(absl::StrCat("SELECT id, type, related_id, uuid, seq, `desc`, "
                                             "created_at FROM exceptions ",
                                             w.sql, " ORDER BY id DESC LIMIT ? OFFSET ?"),
                                params));
  for (const SqlRow& row : rows) {
    RowReader r(row);
    ExceptionRecord e;
    e.id = r.Int();
    e.type = static_cast<int>(r.Int());
    e.related_id = r.Int();
    e.uuid = r.Str();
    e.seq = r.Int();
    e.desc = r.Str();
    e.created_at = r.Time();
    out.items.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<Page<Operation>> Store::ListOperations(const OperationFilter& filter) {
  Where w;
  if (filter.user_id) w.Add("user_id = ?", *filter.user_id);
  if (filter.type) w.Add("type = ?", *filter.type);
  int size = Size(filter.size);
  absl::MutexLock lock(&mu_);
  Page<Operation> out;
  ASSIGN_OR_RETURN(out.total,
                   conn_->QueryInt(absl::StrCat("SELECT COUNT(*) FROM operations ", w.sql),
                                   w.params));
  SqlParams params = w.params;
  params.push_back(size);
  params.push_back(Offset(filter.page, size));
  ASSIGN_OR_RETURN(auto rows,
                   conn_->Query(absl::StrCat("SELECT id, user_id, type, related_id, action, "
                                             "created_at FROM operations ",
                                             w.sql, " ORDER BY id DESC LIMIT ? OFFSET ?"),
                                params));
  for (const SqlRow& row : rows) {
    RowReader r(row);
    Operation op;
    op.id = r.Int();
    op.user_id = r.Int();
    op.type = static_cast<int>(r.Int());
    op.related_id = r.Int();
    op.action = static_cast<int>(r.Int());
    op.created_at = r.Time();
    out.items.push_back(op);
  }
  return out;
}

absl::StatusOr<Group> Store::UpdateGroup(int64_t id, const std::string& name, int64_t user_id) {
  {
    absl::MutexLock lock(&mu_);
    ASSIGN_OR_RETURN(int64_t exists,
                     conn_->QueryInt("SELECT COUNT(*) FROM `groups` WHERE id = ? AND "
                                     "status <> -1",
                                     {id}));
    if (exists == 0) return absl::NotFoundError(absl::StrCat("no group ", id));
    ASSIGN_OR_RETURN(int64_t same,
                     conn_->QueryInt("SELECT COUNT(*) FROM `groups` WHERE name = ? AND "
                                     "status <> -1 AND id <> ?",
                                     {name, id}));
    if (same > 0) return absl::AlreadyExistsError("name: a group '" + name + "' already exists");
    RETURN_IF_ERROR(conn_
                        ->Exec("UPDATE `groups` SET name = ?, updated_at = ?, updator = ? "
                               "WHERE id = ?",
                               {name, options_.now(), user_id, id})
                        .status());
  }
  return GetGroup(id);
}

absl::Status Store::DeleteGroup(int64_t id, int64_t user_id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(ExecResult r,
                   conn_->Exec("UPDATE `groups` SET status = -1, updated_at = ?, updator = ? "
                               "WHERE id = ? AND status <> -1",
                               {options_.now(), user_id, id}));
  if (r.affected == 0) return absl::NotFoundError(absl::StrCat("no group ", id));
  return absl::OkStatus();
}

absl::StatusOr<User> Store::UpdateUser(int64_t id, const UserUpdate& update) {
  if (update.role && *update.role != "Administrator" && *update.role != "User") {
    return absl::InvalidArgumentError("role: must be Administrator or User");
  }
  {
    absl::MutexLock lock(&mu_);
    SqlConn& c = *conn_;
    RETURN_IF_ERROR(InTransaction(c, [&]() -> absl::Status {
      ASSIGN_OR_RETURN(int64_t exists, c.QueryInt("SELECT COUNT(*) FROM users WHERE id = ?", {id}));
      if (exists == 0) return absl::NotFoundError(absl::StrCat("no user ", id));
      if (update.nickname) RETURN_IF_ERROR(Unique(c, "nickname", *update.nickname, id));
      if (update.email) RETURN_IF_ERROR(Unique(c, "email", *update.email, id));
      if (update.mobile) RETURN_IF_ERROR(Unique(c, "mobile", *update.mobile, id));
      std::string set = "updated_at = ?";
      SqlParams params = {options_.now()};
      auto field = [&](const char* column, const std::optional<std::string>& v) {
        if (!v) return;
        absl::StrAppend(&set, ", ", column, " = ?");
        params.push_back(*v);
      };
      field("nickname", update.nickname);
      field("email", update.email);
      field("mobile", update.mobile);
      field("avatar", update.avatar);
      field("role", update.role);
      params.push_back(id);
      return c.Exec(absl::StrCat("UPDATE users SET ", set, " WHERE id = ?"), params).status();
    }));
  }
  return GetUser(id);
}

absl::Status Store::SetUserStatus(int64_t id, int status) {
  if (status != 1 && status != 0 && status != -1) {
    return absl::InvalidArgumentError("status: must be 1, 0 or -1");
  }
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(int64_t exists, conn_->QueryInt("SELECT COUNT(*) FROM users WHERE id = ?", {id}));
  if (exists == 0) return absl::NotFoundError(absl::StrCat("no user ", id));
  return conn_->Exec("UPDATE users SET status = ?, updated_at = ? WHERE id = ?",
                     {status, options_.now(), id})
      .status();
}

absl::StatusOr<std::map<int, int64_t>> Store::CountTasksByStatus(TaskKind kind,
                                                                 std::optional<int64_t> creator) {
  Where w;
  absl::StrAppend(&w.sql, " AND status <> -1");
  if (creator) w.Add("creator = ?", *creator);
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(auto rows, conn_->Query(absl::StrCat("SELECT status, COUNT(*) FROM `",
                                                        TaskTable(kind), "` ", w.sql,
                                                        " GROUP BY status"),
                                           w.params));
  std::map<int, int64_t> out;
  for (const SqlRow& row : rows) {
    RowReader r(row);
    int status = static_cast<int>(r.Int());
    out[status] = r.Int();
  }
  return out;
}

absl::StatusOr<std::map<int, int64_t>> Store::CountAgentsByStatus() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(auto rows, conn_->Query("SELECT status, COUNT(*) FROM agents GROUP BY status"));
  std::map<int, int64_t> out;
  for (const SqlRow& row : rows) {
    RowReader r(row);
    int status = static_cast<int>(r.Int());
    out[status] = r.Int();
  }
  return out;
}

}  // namespace asgard::store
