// File: task_definition.h
// A task row of the store as the definition an agent runs (asgard.v1.TaskDefinition), with the
// identity rule of SPEC 7 decided here, once, for the web node's pushes and the master's
// assignments alike: a task whose `user` is empty runs as its owner's identity, which is the
// agent's own user for an administrator's task (or a row an operator wrote, creator 0) and the
// owner's own uid on the agent (as_task_user, owner_id) for everyone else.
//
//   OwnerRoles roles(store);   // one per assignment or request: roles change
//   v1::TaskDefinition def = ToDefinition(task, roles.Of(task.creator));
#pragma once

#include <cstdint>
#include <functional>
#include <map>

#include "asgard/v1/master.pb.h"
#include "store/store.h"

namespace asgard::rpc {

struct TaskOwner {
  int64_t id = 0;
  bool admin = false;  // runs as the agent's own user when the task names none
};

class OwnerRoles {
 public:
  explicit OwnerRoles(store::Store& store) : store_(store) {}
  // A creator that no longer exists has no administrator's rights.
  TaskOwner Of(int64_t creator);

 private:
  store::Store& store_;
  std::map<int64_t, bool> admins_;
};

v1::TaskDefinition ToDefinition(const store::Task& task, const TaskOwner& owner);

// Logs, once at start, the tasks imported from an original Asgard database that a normal user
// created: they ran as root there and run as their owner's identity now (SPEC 7).
void LogImportedRootTasks(store::Store& store);

// Tasks in the order an assignment lists them (apps, jobs, timings; each by id).
std::vector<const store::Task*> AssignmentOrder(const store::Assignment& assignment);

}  // namespace asgard::rpc
