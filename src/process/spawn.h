// File: spawn.h
// The fork/exec step alone: a vfork-style clone that only makes system calls between clone and
// exec, so it is fast even when the daemon is large and multi-threaded, and safe because
// nothing in the child allocates or takes a lock. Everything the child needs is prepared in
// the parent (SpawnPlan).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace asgard::process {

struct SpawnPlan {
  std::string path;               // resolved executable
  std::vector<std::string> argv;  // argv[0] included
  std::vector<std::string> env;   // "KEY=value"
  std::string dir;                // "" = inherit
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  int umask = -1;                  // >= 0: the child's umask
  uint64_t max_processes = 0;      // > 0: the child's RLIMIT_NPROC (soft and hard)
  int stdin_fd = -1;   // dup2'd to 0
  int stdout_fd = -1;  // dup2'd to 1
  int stderr_fd = -1;  // dup2'd to 2
  int cgroup_procs_fd = -1;  // if >= 0 the child writes "0" to it: joins the run's cgroup
};

// Starts the process in a new session (its own process group), with an empty signal mask and
// default dispositions, all other descriptors closed at exec, and SIGKILL as parent-death
// signal so a crashed daemon leaves no unsupervised copy behind. Returns the pid, or the step
// that failed in the child ("chdir /x: No such file or directory").
absl::StatusOr<pid_t> SpawnProcess(const SpawnPlan& plan);

}  // namespace asgard::process
