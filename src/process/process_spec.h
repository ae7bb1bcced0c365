// File: process_spec.h
// What to run and how: the part of an app, job or timing that the process runtime needs.
// Plain data; validated by config/ (from app.yaml) or by the API before it reaches the runtime.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/signal.h"

namespace asgard::process {

// An identity without a passwd entry: each normal user's own uid on a root agent (SPEC 7,
// agent.task_uid_range), so that no two users' tasks share one. The gid is the uid's number
// and there are no supplementary groups.
struct IsolatedUser {
  uid_t uid = 0;
  std::string home;           // HOME; made 0700 for the uid before the first start
  uint64_t max_processes = 0;  // RLIMIT_NPROC: the per-user process cap (0 = unchanged)

  bool operator==(const IsolatedUser&) const = default;
};

// Bounds of max_bytes and backups, the same for app.yaml, the API and the runtime (LogSink
// brings values from elsewhere, such as rows of an older store, within them). A rotation renames
// every backup, so tiny files with many backups would turn output into a storm of renames; with
// files of at least kMinRotateBytes, one loop turn of an output pump crosses at most one
// rotation (posix_launcher.cc).
inline constexpr int64_t kMinRotateBytes = int64_t{1} << 20;  // max_bytes: 0 (never) or >= 1MB
inline constexpr int kMaxBackups = 100;

struct ProcessSpec {
  std::string name;     // identity across reloads; unique within its list
  std::string dir;      // working directory; "" = the daemon's own
  std::string program;  // bare name (looked up on PATH) or path (relative ones against dir)
  std::string args;     // shell-like quoted argument string; "" = no arguments
  std::string std_out;  // file for stdout; "" = discarded
  std::string std_err;  // file for stderr; "" = discarded
  std::string user;     // run as this user; "" = the daemon's user (or `isolated`)
  // Run as this uid instead (umask 077, RLIMIT_NPROC); `user` is then empty.
  std::optional<IsolatedUser> isolated;
  // The std_out/std_err files (and the program's lookup) are opened, created and rotated with
  // `user`'s rights rather than the daemon's: set for tasks whose author may not act as root
  // (a non-admin's task on a root agent), so that their paths cannot reach root's files.
  bool files_as_user = false;
  std::map<std::string, std::string> env;  // added to the inherited environment
  Signal stop_signal = Signal::Term();
  std::chrono::seconds stop_timeout{10};
  int64_t max_bytes = 50LL * 1024 * 1024;  // rotate std_out/std_err at this size; 0 = never
  int backups = 10;                        // rotated files kept per stream (bounds above)
  bool is_monitor = false;                 // sample CPU/RSS/threads of this task

  bool operator==(const ProcessSpec&) const = default;
};

// When and how often an app is restarted (supervisord's startsecs/startretries, with backoff).
struct RestartPolicy {
  bool auto_restart = true;
  std::chrono::seconds start_secs{1};
  int max_restarts = 5;
  std::chrono::seconds backoff_max{30};

  bool operator==(const RestartPolicy&) const = default;
};

}  // namespace asgard::process
