// File: daemon.h
// What `asgard guard` and `asgard cron` share: load conf/app.yaml (exit 2 on a bad file),
// set up runtime_dir and logging, claim the Unix socket, run the role on one event loop, serve
// the local status service, reload on SIGHUP and stop gracefully on SIGTERM/SIGINT/SIGQUIT (a
// second signal kills what is left at once).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/event_loop.h"
#include "config/config.h"
#include "process/launcher.h"
#include "runtime/task_role.h"

namespace asgard::standalone {

struct DaemonOptions {
  std::string role;         // "guard" or "cron": names the log file, addr file and cgroup
  std::string conf_dir;     // reads <conf_dir>/app.yaml
  std::string socket_path;  // "" = <runtime_dir>/asgard_<role>
};

// Builds the role once the loop, launcher and configuration exist. May fail (exit 1).
using RoleFactory = std::function<absl::StatusOr<std::unique_ptr<runtime::TaskRole>>(
    EventLoop&, process::Launcher&, const config::Config&)>;

// Runs until stopped; returns the process exit code (0, 1 runtime failure, 2 config error).
int RunDaemon(const DaemonOptions& options, const RoleFactory& make_role);

// The socket a client command should use: -s if given, else <runtime_dir>/asgard_<role> with
// runtime_dir from <conf_dir>/app.yaml when that file exists and parses.
std::string DefaultSocketPath(const std::string& role, const std::string& conf_dir,
                              const std::string& socket_flag);

// Blocks the signals the daemons read through signalfd. Call in main() before any thread.
void BlockDaemonSignals();

}  // namespace asgard::standalone
