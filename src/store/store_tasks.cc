// File: store_tasks.cc
// Apps, jobs and timings: edits by users (each bumps the agent's assignment version in the same
// transaction) and listing.
#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "store/run_as.h"
#include "store/sql_store.h"
#include "store/store_internal.h"
#include "store/task_sql.h"

namespace asgard::store {
namespace internal {

absl::StatusOr<std::vector<Task>> ReadTasks(SqlConn& conn, TaskKind kind, const std::string& where,
                                            const SqlParams& params) {
  ASSIGN_OR_RETURN(auto rows, conn.Query(absl::StrCat(TaskSelect(kind), " ", where), params));
  std::vector<Task> tasks;
  tasks.reserve(rows.size());
  for (const SqlRow& row : rows) {
    ASSIGN_OR_RETURN(Task task, store::ReadTask(kind, row));
    tasks.push_back(std::move(task));
  }
  return tasks;
}

absl::StatusOr<Task> ReadTask(SqlConn& conn, TaskKind kind, int64_t id) {
  ASSIGN_OR_RETURN(std::vector<Task> tasks, ReadTasks(conn, kind, "WHERE id = ?", {id}));
  if (tasks.empty()) {
    return absl::NotFoundError(absl::StrCat(TaskTable(kind), " row ", id, " not found"));
  }
  return std::move(tasks.front());
}

absl::StatusOr<Task> ReadLiveTask(SqlConn& conn, TaskKind kind, int64_t id) {
  ASSIGN_OR_RETURN(Task task, ReadTask(conn, kind, id));
  if (task.status == kTaskDeleted) {
    return absl::NotFoundError(absl::StrCat(TaskTable(kind), " row ", id, " is deleted"));
  }
  return task;
}

std::string LikeContains(const std::string& text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '!' || c == '%' || c == '_') out.push_back('!');
    out.push_back(c);
  }
  out.push_back('%');
  return out;
}

absl::Status ForIdLists(const std::vector<int64_t>& ids,
                        absl::FunctionRef<absl::Status(const std::string&, const SqlParams&)> read) {
  constexpr size_t kMaxList = 256;
  std::set<int64_t> distinct(ids.begin(), ids.end());
  std::vector<int64_t> sorted(distinct.begin(), distinct.end());
  for (size_t start = 0; start < sorted.size(); start += kMaxList) {
    size_t n = std::min(kMaxList, sorted.size() - start);
    size_t padded = 1;
    while (padded < n) padded *= 2;
    std::string sql = " IN (";
    SqlParams params;
    for (size_t i = 0; i < padded; ++i) {
      absl::StrAppend(&sql, i == 0 ? "?" : ", ?");
      params.push_back(sorted[start + std::min(i, n - 1)]);
    }
    sql.push_back(')');
    RETURN_IF_ERROR(read(sql, params));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<TaskRef>> RecheckRunAs(SqlConn& conn, const User& user,
                                                   absl::Time now) {
  const RunAsRights rights = RightsOf(user);
  std::vector<TaskRef> touched;
  std::set<int64_t> agents;
  for (TaskKind kind : {TaskKind::kApp, TaskKind::kJob, TaskKind::kTiming}) {
    ASSIGN_OR_RETURN(std::vector<Task> tasks,
                     ReadTasks(conn, kind, "WHERE (creator = ? OR updator = ?) AND status <> -1",
                               {user.id, user.id}));
    for (const Task& t : tasks) {
      bool reset = !MayRunAs(rights, t.input.user);
      if (reset) {
        RETURN_IF_ERROR(conn.Exec(absl::StrCat("UPDATE `", TaskTable(kind),
                                               "` SET `user` = '', updated_at = ? WHERE id = ?"),
                                  {now, t.id})
                            .status());
      }
      if (!reset && t.creator != user.id) continue;  // someone else's task, still allowed
      touched.push_back({kind, t.id, t.input.agent_id});
      agents.insert(t.input.agent_id);
    }
  }
  for (int64_t agent_id : agents) RETURN_IF_ERROR(BumpVersion(conn, agent_id));
  return touched;
}

std::map<int, int64_t> ReadCounts(const std::vector<SqlRow>& rows) {
  std::map<int, int64_t> counts;
  for (const SqlRow& row : rows) {
    RowReader r(row);
    int status = static_cast<int>(r.Int());
    counts[status] = r.Int();
  }
  return counts;
}

}  // namespace internal

namespace {

absl::Status RequireAgent(SqlConn& c, int64_t agent_id) {
  absl::StatusOr<Agent> agent = internal::ReadAgent(c, agent_id);
  if (agent.ok()) return absl::OkStatus();
  if (absl::IsNotFound(agent.status())) {
    return absl::FailedPreconditionError(absl::StrCat("agent ", agent_id, " does not exist"));
  }
  return agent.status();
}

absl::Status Rederive(SqlConn& c, TaskKind kind, int64_t id, DeriveMode mode) {
  return c
      .Exec(absl::StrCat("UPDATE `", TaskTable(kind), "` SET status = ", StatusCase(kind, mode),
                         " WHERE id = ?"),
            {id})
      .status();
}

}  // namespace

absl::StatusOr<Task> SqlStore::CreateTask(TaskKind kind, const TaskInput& input, int64_t user_id) {
  WriteLock lock(this);
  SqlConn& c = *conn_;
  absl::Time now = options_.now();
  int64_t id = 0;
  RETURN_IF_ERROR(InTransaction(c, [&]() -> absl::Status {
    RETURN_IF_ERROR(RequireAgent(c, input.agent_id));
    TaskInput allowed = input;
    ASSIGN_OR_RETURN(allowed.user, internal::AllowedRunAs(c, user_id, input.user));
    const std::vector<std::string>& cols = TaskColumns(kind);
    SqlParams params = TaskParams(kind, allowed);
    for (SqlParam p : {SqlParam(static_cast<int>(input.desired)), SqlParam(now), SqlParam(user_id),
                       SqlParam(now), SqlParam(user_id)}) {
      params.push_back(std::move(p));
    }
    std::string marks = absl::StrJoin(std::vector<std::string>(cols.size(), "?"), ", ");
    ASSIGN_OR_RETURN(
        ExecResult r,
        c.Exec(absl::StrCat("INSERT INTO `", TaskTable(kind), "` (", absl::StrJoin(cols, ", "),
                            ", desired, created_at, creator, updated_at, updator, "
                            "status) VALUES (",
                            marks, ", ?, ?, ?, ?, ?, 0)"),
               params));
    id = r.last_insert_id;
    RETURN_IF_ERROR(Rederive(c, kind, id, DeriveMode::kUser));
    return internal::BumpVersion(c, input.agent_id);
  }));
  return internal::ReadTask(c, kind, id);
}

absl::StatusOr<Task> SqlStore::UpdateTask(TaskKind kind, int64_t id, const TaskInput& input,
                                          int64_t user_id) {
  WriteLock lock(this);
  SqlConn& c = *conn_;
  absl::Time now = options_.now();
  RETURN_IF_ERROR(InTransaction(c, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(Task old, internal::ReadLiveTask(c, kind, id));
    bool moved = old.input.agent_id != input.agent_id;
    if (moved) RETURN_IF_ERROR(RequireAgent(c, input.agent_id));
    std::vector<std::string> sets;
    for (const std::string& col : TaskColumns(kind)) sets.push_back(absl::StrCat(col, " = ?"));
    TaskInput allowed = input;
    ASSIGN_OR_RETURN(allowed.user, internal::AllowedRunAs(c, user_id, input.user));
    SqlParams params = TaskParams(kind, allowed);
    for (SqlParam p : {SqlParam(now), SqlParam(user_id), SqlParam(id)}) params.push_back(p);
    // A task that moves has not been seen by its new agent yet.
    std::string observed = moved ? ", state = '', pid = 0, restarts = 0, last_exit_status = NULL, "
                                   "last_exit_signal = '', last_exit_at = NULL, observed_at = NULL"
                                 : "";
    RETURN_IF_ERROR(
        c.Exec(absl::StrCat("UPDATE `", TaskTable(kind), "` SET ", absl::StrJoin(sets, ", "),
                            observed, ", imported_root = 0, updated_at = ?, updator = ? WHERE id = ?"),
               params)
            .status());
    RETURN_IF_ERROR(Rederive(c, kind, id, DeriveMode::kUser));
    RETURN_IF_ERROR(internal::BumpVersion(c, old.input.agent_id));
    return moved ? internal::BumpVersion(c, input.agent_id) : absl::OkStatus();
  }));
  return internal::ReadTask(c, kind, id);
}

absl::StatusOr<Task> SqlStore::GetTask(TaskKind kind, int64_t id) {
  return Read([&](SqlConn& c) { return internal::ReadTask(c, kind, id); });
}

absl::Status SqlStore::DeleteTask(TaskKind kind, int64_t id, int64_t user_id) {
  WriteLock lock(this);
  SqlConn& c = *conn_;
  absl::Time now = options_.now();
  return InTransaction(c, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(Task old, internal::ReadLiveTask(c, kind, id));
    RETURN_IF_ERROR(c.Exec(absl::StrCat("UPDATE `", TaskTable(kind),
                                        "` SET status = -1, updated_at = ?, updator = ? "
                                        "WHERE id = ?"),
                           {now, user_id, id})
                        .status());
    return internal::BumpVersion(c, old.input.agent_id);
  });
}

absl::StatusOr<std::vector<Task>> SqlStore::ListTasksByAgent(TaskKind kind, int64_t agent_id) {
  return Read([&](SqlConn& c) {
    return internal::ReadTasks(c, kind, "WHERE agent_id = ? AND status <> -1 ORDER BY id",
                               {agent_id});
  });
}

absl::StatusOr<std::vector<Task>> SqlStore::ListImportedRootTasks(TaskKind kind) {
  return Read([&](SqlConn& c) {
    return internal::ReadTasks(c, kind, "WHERE imported_root = 1 AND status <> -1 ORDER BY id",
                               {});
  });
}

absl::StatusOr<Page<Task>> SqlStore::ListTasks(TaskKind kind, const TaskFilter& filter) {
  internal::Where where;
  if (filter.agent_id) where.Add("agent_id = ?", *filter.agent_id);
  if (filter.group_id) where.Add("group_id = ?", *filter.group_id);
  if (filter.creator) where.Add("creator = ?", *filter.creator);
  if (filter.status) where.Add("status = ?", *filter.status);
  if (!filter.status) absl::StrAppend(&where.sql, " AND status <> -1");
  if (!filter.name.empty()) {
    where.Add("name LIKE ? ESCAPE '!'", internal::LikeContains(filter.name));
  }
  int size = internal::PageSize(filter.size);
  SqlParams params = where.params;
  params.push_back(size);
  params.push_back(internal::PageOffset(filter.page, size));

  return Read([&](SqlConn& c) -> absl::StatusOr<Page<Task>> {
    Page<Task> page;
    ASSIGN_OR_RETURN(page.total, c.QueryInt(absl::StrCat("SELECT COUNT(*) FROM `",
                                                         TaskTable(kind), "` ", where.sql),
                                            where.params));
    ASSIGN_OR_RETURN(page.items,
                     internal::ReadTasks(c, kind,
                                         absl::StrCat(where.sql, " ORDER BY id DESC LIMIT ? "
                                                                 "OFFSET ?"),
                                         params));
    return page;
  });
}

absl::StatusOr<std::map<int, int64_t>> SqlStore::CountTasksByStatus(
    TaskKind kind, std::optional<int64_t> creator) {
  internal::Where where;
  absl::StrAppend(&where.sql, " AND status <> -1");
  if (creator) where.Add("creator = ?", *creator);
  return Read([&](SqlConn& c) -> absl::StatusOr<std::map<int, int64_t>> {
    ASSIGN_OR_RETURN(auto rows, c.Query(absl::StrCat("SELECT status, COUNT(*) FROM `",
                                                     TaskTable(kind), "` ", where.sql,
                                                     " GROUP BY status"),
                                        where.params));
    return internal::ReadCounts(rows);
  });
}

}  // namespace asgard::store
