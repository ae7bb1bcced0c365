// File: task_role.h
// What a role running tasks offers its scaffold (the standalone daemon for `guard` and `cron`):
// apply a TaskSet (at start and on SIGHUP, changing only what differs), stop everything, and
// describe the tasks for `status` and `show`.
//
// Thread-safety: every method runs on the role's loop thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "runtime/task_def.h"
#include "runtime/task_view.h"

namespace asgard::runtime {

class TaskRole {
 public:
  virtual ~TaskRole() = default;
  // Validation already passed (each TaskDef passed Validate()). Tasks of kinds the role does
  // not run are ignored.
  virtual void Apply(const TaskSet& tasks) = 0;
  // Stops every task as configured (stop_signal, stop_timeout); `done` once none is left.
  virtual void StopAll(std::function<void()> done) = 0;
  virtual std::vector<TaskView> List() = 0;
  // The first task named `name` (names are unique per kind in app.yaml).
  virtual std::optional<TaskDetailView> Get(const std::string& name) = 0;
  // The wall clock jumped: calendar timers were re-armed, schedules must be recomputed.
  virtual void OnClockJump() {}
  // Refreshes CPU/memory samples of running processes (every system.moniter seconds).
  virtual void Sample() {}
};

}  // namespace asgard::runtime
