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
  int cgroup_fd = -1;  // the run's cgroup directory (opened O_DIRECTORY); -1 = no cgroup
  // false once the kernel has shown it cannot start a child inside a cgroup: the child then
  // joins by writing "0" to cgroup.procs (a migration, 10-20 ms on some machines).
  bool clone_into_cgroup = true;
};

// How the run reached its cgroup.
enum class SpawnPath {
  kNoCgroup,     // no cgroup in use
  kIntoCgroup,   // clone3(CLONE_INTO_CGROUP): born inside it (Linux 5.7+)
  kJoinCgroup,   // clone, then the child writes cgroup.procs
};
const char* SpawnPathName(SpawnPath path);

struct Spawned {
  pid_t pid = 0;
  SpawnPath path = SpawnPath::kNoCgroup;
  int clone3_error = 0;  // why kIntoCgroup was not used although asked for (errno), else 0
};

// Starts the process in a new session (its own process group), with an empty signal mask and
// default dispositions, all other descriptors closed at exec, and SIGKILL as parent-death
// signal so a crashed daemon leaves no unsupervised copy behind. Returns the pid, or the step
// that failed in the child ("chdir /x: No such file or directory"). With a cgroup, the child
// starts inside it when the kernel can, and otherwise joins it before anything else runs.
absl::StatusOr<Spawned> SpawnProcess(const SpawnPlan& plan);

}  // namespace asgard::process
