// File: role_scaffold.h
// What every role that runs tasks (guard, cron, agent) stands on: one event loop, the process
// launcher (its cgroup named after the role), the stop and reload signals read through
// signalfd, periodic sampling and the wall-clock jump notice. The role adds its own work (a
// TaskRole, the agent's services) on the loop. Links no RPC, HTTP or SQL library.
//
//   ASSIGN_OR_RETURN(auto scaffold, RoleScaffold::Create("guard"));
//   RETURN_IF_ERROR(scaffold->WatchSignals({.on_stop = [&](int) { role.StopAll(done); },
//                                           .on_reload = [&] { Reload(); }}));
//   scaffold->Every(std::chrono::seconds(10), [&] { role.Sample(); });
//   scaffold->loop().Run();
//
// The signals must have been blocked in every thread (BlockRoleSignals in main()).
// Thread-safety: loop thread only, except loop().Post() and loop().Stop().
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/event_loop.h"
#include "common/unique_fd.h"
#include "process/posix_launcher.h"

namespace asgard::role {

class RoleScaffold {
 public:
  struct SignalHooks {
    // The first SIGTERM, SIGINT or SIGQUIT: stop every task, then loop().Stop(). A second one
    // stops the loop at once (the launcher kills what is left when destroyed).
    std::function<void(int signal)> on_stop;
    // SIGHUP, unless stopping.
    std::function<void()> on_reload;
  };

  // The loop and the launcher; `role` names the launcher's cgroup.
  static absl::StatusOr<std::unique_ptr<RoleScaffold>> Create(const std::string& role);
  RoleScaffold(const RoleScaffold&) = delete;
  RoleScaffold& operator=(const RoleScaffold&) = delete;
  ~RoleScaffold();

  EventLoop& loop() { return *loop_; }
  process::PosixLauncher& launcher() { return *launcher_; }

  // Reads the stop and reload signals on the loop.
  absl::Status WatchSignals(SignalHooks hooks);
  // Runs `fn` on the loop every `interval` (at least a second), first after one interval,
  // until a stop signal arrives.
  void Every(std::chrono::seconds interval, std::function<void()> fn);
  // A stop signal arrived (on_stop was called).
  bool stopping() const { return stopping_; }

 private:
  RoleScaffold(std::unique_ptr<EventLoop> loop, std::unique_ptr<process::PosixLauncher> launcher)
      : loop_(std::move(loop)), launcher_(std::move(launcher)) {}
  void OnSignal();

  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<process::PosixLauncher> launcher_;  // destroyed first: it uses the loop
  UniqueFd signals_;
  SignalHooks hooks_;
  bool stopping_ = false;
};

// Blocks the signals the roles read through signalfd (and SIGCHLD, read by the launcher);
// ignores SIGPIPE. Call in main() before any thread starts.
void BlockRoleSignals();

}  // namespace asgard::role
