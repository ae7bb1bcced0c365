// File: task_control.h
// What a user may do to an app, job or timing, and the writes that follow, without HTTP: the
// routes of routes_tasks.cc parse the request, call one method here and write its answer.
//
//   TaskControl control(store, agents);  // agents: the TaskAgents of the web node
//   absl::StatusOr<TaskChange> started = control.Start(user, TaskKind::kApp, 7);
//   if (started.ok()) Reply(TaskJson(started->task), ChangeMessage(*started));
//
// The rules, each tested in task_control_test.cc:
// - A user sees and changes only the tasks they created; an administrator any task. A deleted
//   task is NotFound to everyone, another user's PermissionDenied.
// - Run-as (store/run_as.h) is decided at every write by the writer's rights *now*: naming an
//   account the writer may not choose is PermissionDenied; an account someone with more rights
//   chose is dropped by a user's edit or copy, and the answer says so. (A demotion re-checks the
//   demoted user's tasks in the store itself, Store::UpdateUser.)
// - Start needs a paused task, pause a started one, delete a paused one (FailedPrecondition,
//   409, otherwise); restart starts a paused one first; a job runs once only when started.
// - A create or update names a known agent that is not forbidden, and a live group; the task's
//   own group, deleted since, becomes "no group" (the console sends the whole form back).
// - A copy keeps every field but the name ("<name>_copy") and the desired state (paused); it is
//   the copier's write, so its run-as account follows the copier's rights.
// - A change is stored first and then pushed to the agent; a push that fails does not undo the
//   change (the agent heals from the store at its next heartbeat): TaskChange::push says so.
//   Restart and run ask for an action now: there the agent's failure is the error.
// - Every change is written to the operation log under the writer's id.
//
// The store is seen through store::TaskStore (store/task_store.h), the part these rules need.
//
// Thread-safety: as thread-safe as the store and the TaskAgents given (both are, in the web
// node); TaskControl itself keeps no state.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "store/records.h"
#include "store/task_store.h"

namespace asgard::web {

// The agents that run the tasks, as the rules need them. The web node implements it over its
// gRPC clients (web_api.cc); tests record the calls.
class TaskAgents {
 public:
  virtual ~TaskAgents() = default;
  // Sends the task's current definition and desired state to its agent. Unavailable when the
  // agent cannot be reached.
  virtual absl::Status PushDefinition(const store::Task& task) = 0;
  // Tells agent `agent_id` to drop the task; OK when it did not have it.
  virtual absl::Status PushRemove(const store::Task& task, int64_t agent_id) = 0;
  // Restarts an app's process now; NotFound when the agent does not have the task.
  virtual absl::Status Restart(const store::Task& task) = 0;
  // Runs a job once now; NotFound when the agent does not have the task.
  virtual absl::Status Trigger(const store::Task& task) = 0;
};

// A change that was stored.
struct TaskChange {
  store::Task task;     // as stored after the change (a deleted one: as it was before)
  absl::Status push;    // how telling the agent went; not OK does not undo the change
  std::string note;     // for the writer: their task's run-as account or group changed
};

// The answer's message for a stored change: "ok", or "saved; <note>; <why the agent has not
// got it yet> (the agent applies it when it is back)".
std::string ChangeMessage(const TaskChange& change);

// Operation log action codes (ORIGINAL.md 7.7).
enum OperationAction { kOpCreate = 1, kOpUpdate, kOpDelete, kOpCopy, kOpStart, kOpRestart, kOpPause };

// The actions the batch routes apply to each id.
enum class TaskAction { kStart, kPause, kRestart, kDelete };

// The ids of a batch body {"ids": [1, 2, ...]}: 1..1000 integers, each 1..kMaxId;
// InvalidArgument naming `ids` otherwise (nothing is done then).
absl::StatusOr<std::vector<int64_t>> ParseBatchIds(const nlohmann::json& body);

class TaskControl {
 public:
  // Both must outlive this object.
  TaskControl(store::TaskStore& store, TaskAgents& agents) : store_(store), agents_(agents) {}
  TaskControl(const TaskControl&) = delete;
  TaskControl& operator=(const TaskControl&) = delete;

  // `filter` narrowed to the tasks `user` may see in a list: their own, or any for an
  // administrator.
  static store::TaskFilter VisibleTo(const store::User& user, store::TaskFilter filter);

  // The task if `user` may see it: NotFound (also a deleted one), PermissionDenied for
  // another user's task.
  absl::StatusOr<store::Task> Load(const store::User& user, store::TaskKind kind, int64_t id);

  // A new task from a create body (task_json.h ParseTaskInput), created paused.
  absl::StatusOr<TaskChange> Create(const store::User& user, store::TaskKind kind,
                                    const nlohmann::json& body);
  // The fields of `body` over the stored task; a move to another agent drops it there first.
  absl::StatusOr<TaskChange> Update(const store::User& user, store::TaskKind kind, int64_t id,
                                    const nlohmann::json& body);
  absl::StatusOr<TaskChange> Copy(const store::User& user, store::TaskKind kind, int64_t id);

  absl::StatusOr<TaskChange> Start(const store::User& user, store::TaskKind kind, int64_t id);
  absl::StatusOr<TaskChange> Pause(const store::User& user, store::TaskKind kind, int64_t id);
  // Starts a paused task, then restarts an app's process (pushes a job's or timing's
  // definition). A failed push is the error here: the caller asked for an action now.
  absl::StatusOr<TaskChange> Restart(const store::User& user, store::TaskKind kind, int64_t id);
  absl::StatusOr<TaskChange> Delete(const store::User& user, store::TaskKind kind, int64_t id);
  absl::StatusOr<TaskChange> Apply(TaskAction action, const store::User& user,
                                   store::TaskKind kind, int64_t id);
  // `action` on each id in turn; one failing does not stop the others.
  std::vector<std::pair<int64_t, absl::StatusOr<TaskChange>>> Batch(
      TaskAction action, const store::User& user, store::TaskKind kind,
      const std::vector<int64_t>& ids);

  // Runs a started job once now; the agent is given the definition first when it lacks it.
  absl::StatusOr<store::Task> RunJob(const store::User& user, int64_t id);

 private:
  // Checks the agent and group of `in` for a task now in group `current_group` (0 for a new
  // one); a note for the writer when the group is dropped.
  absl::StatusOr<std::string> CheckRefs(store::TaskInput& in, int64_t current_group);
  absl::StatusOr<TaskChange> SetDesired(const store::User& user, store::TaskKind kind,
                                        int64_t id, store::Desired desired);
  void Log(const store::User& user, store::TaskKind kind, int64_t id, OperationAction action);

  store::TaskStore& store_;
  TaskAgents& agents_;
};

}  // namespace asgard::web
