// File: role.h
// What the standalone daemon scaffolding (daemon.h) needs from `guard` and `cron`: apply a
// configuration (at start and on SIGHUP, changing only what differs), stop everything, and
// describe the tasks for `status` and `show`.
//
// Thread-safety: every method runs on the daemon's loop thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "config/config.h"
#include "standalone/task_view.h"

namespace asgard::standalone {

class StandaloneRole {
 public:
  virtual ~StandaloneRole() = default;
  // Validation already passed (config loader); a task's identity is its name.
  virtual void Apply(const config::Config& config) = 0;
  // Stops every task as configured (stop_signal, stop_timeout); `done` once none is left.
  virtual void StopAll(std::function<void()> done) = 0;
  virtual std::vector<TaskView> List() = 0;
  virtual std::optional<TaskDetailView> Get(const std::string& name) = 0;
  // The wall clock jumped: calendar timers were re-armed, schedules must be recomputed.
  virtual void OnClockJump() {}
  // Refreshes CPU/memory samples of running processes (every system.moniter seconds).
  virtual void Sample() {}
};

}  // namespace asgard::standalone
