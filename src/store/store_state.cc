// File: store_state.cc
// Desired state (written by users), the assignment an agent pulls, and observed state (written
// by the master from heartbeats, never touching desired).
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/sql_store.h"
#include "store/store_internal.h"
#include "store/task_sql.h"

namespace asgard::store {

absl::StatusOr<Task> SqlStore::SetDesired(TaskKind kind, int64_t id, Desired desired,
                                          int64_t user_id) {
  if (desired != Desired::kRun && desired != Desired::kPause) {
    return absl::InvalidArgumentError(absl::StrCat("desired state ", static_cast<int>(desired),
                                                   ": expected 1 (run) or 2 (pause)"));
  }
  WriteLock lock(this);
  SqlConn& c = *conn_;
  absl::Time now = options_.now();
  RETURN_IF_ERROR(InTransaction(c, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(Task old, internal::ReadLiveTask(c, kind, id));
    std::string table = TaskTable(kind);
    RETURN_IF_ERROR(c.Exec(absl::StrCat("UPDATE `", table,
                                        "` SET desired = ?, updated_at = ?, "
                                        "updator = ? WHERE id = ?"),
                           {static_cast<int>(desired), now, user_id, id})
                        .status());
    RETURN_IF_ERROR(c.Exec(absl::StrCat("UPDATE `", table, "` SET status = ",
                                        StatusCase(kind, DeriveMode::kUser), " WHERE id = ?"),
                           {id})
                        .status());
    return internal::BumpVersion(c, old.input.agent_id);
  }));
  return internal::ReadTask(c, kind, id);
}

absl::StatusOr<Assignment> SqlStore::GetAssignment(int64_t agent_id) {
  WriteLock lock(this);
  SqlConn& c = *conn_;
  Assignment a;
  RETURN_IF_ERROR(InTransaction(c, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(Agent agent, internal::ReadAgent(c, agent_id));
    a.version = agent.assignment_version;
    constexpr char kLive[] = "WHERE agent_id = ? AND status <> -1";
    ASSIGN_OR_RETURN(a.apps, internal::ReadTasks(c, TaskKind::kApp,
                                                 absl::StrCat(kLive, " ORDER BY id"), {agent_id}));
    ASSIGN_OR_RETURN(a.jobs, internal::ReadTasks(c, TaskKind::kJob,
                                                 absl::StrCat(kLive, " ORDER BY id"), {agent_id}));
    ASSIGN_OR_RETURN(
        a.timings,
        internal::ReadTasks(c, TaskKind::kTiming,
                            absl::StrCat(kLive, " AND status <> 3 ORDER BY id"), {agent_id}));
    return absl::OkStatus();
  }));
  return a;
}

absl::Status SqlStore::RecordObserved(int64_t agent_id, const std::vector<ObservedReport>& reports,
                                      absl::Time now) {
  WriteLock lock(this);
  SqlConn& c = *conn_;
  return InTransaction(c, [&]() -> absl::Status {
    for (const ObservedReport& report : reports) {
      const Observed& o = report.observed;
      std::string table = TaskTable(report.kind);
      constexpr char kMine[] = " WHERE id = ? AND agent_id = ? AND status <> -1";
      RETURN_IF_ERROR(c.Exec(absl::StrCat("UPDATE `", table,
                                          "` SET state = ?, pid = ?, "
                                          "restarts = ?, last_exit_status = ?, "
                                          "last_exit_signal = ?, last_exit_at = ?, "
                                          "observed_at = ?",
                                          kMine),
                             {o.state, o.pid, o.restarts, o.last_exit_status, o.last_exit_signal,
                              o.last_exit_at, now, report.id, agent_id})
                          .status());
      RETURN_IF_ERROR(c.Exec(absl::StrCat("UPDATE `", table, "` SET status = ",
                                          StatusCase(report.kind, DeriveMode::kObserved), kMine),
                             {report.id, agent_id})
                          .status());
    }
    return absl::OkStatus();
  });
}

}  // namespace asgard::store
