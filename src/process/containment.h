// File: containment.h
// Keeps every process of a run findable, even one that called setsid() or double-forked away
// from its process group, so that stopping a run stops all of it and only it:
//  - each run gets a cgroup v2 under the daemon's own cgroup when cgroup2 is writable
//    (found through /proc/self/mountinfo; it may be mounted at /sys/fs/cgroup/unified);
//  - otherwise processes are found by the ASGARD_RUN_ID=<run id> marker in /proc/<pid>/environ;
//  - the daemon is a child subreaper, so escaped descendants are reparented to it and reaped.
// Cgroups left by a daemon that died are killed and removed at start.
//
// Thread-safety: none; used from the loop thread.
#pragma once

#include <sys/types.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/unique_fd.h"

namespace asgard::process {

class Containment {
 public:
  // `tag` names the daemon's cgroup ("guard" -> asgard-guard-<pid>).
  static std::unique_ptr<Containment> Create(const std::string& tag);
  ~Containment();

  bool has_cgroups() const { return !base_.empty(); }

  // Creates the run's cgroup and returns its directory, opened for the spawn to start the child
  // in it (spawn.h); an invalid fd when cgroups are not in use or creation failed.
  UniqueFd PrepareRun(const std::string& run_id);

  // Sends `sig` to the run's group and to every process of the run outside it.
  void Signal(const std::string& run_id, pid_t pgid, int sig);

  // SIGKILL to whatever of the run is still alive; its cgroup is removed once empty. Without
  // cgroups this covers the group only and returns true: call KillMarked() next (a /proc scan,
  // kept out of the restart path).
  bool KillRemains(const std::string& run_id, pid_t pgid);
  void KillMarked(const std::string& run_id);
  // The same for several runs in one /proc scan (the runs reaped at one SIGCHLD: a burst of
  // short runs would otherwise read every process's environment once per run).
  void KillMarked(const std::set<std::string>& run_ids);

  // Retries removing the cgroups of finished runs (called after each reap).
  void RemoveEmptyCgroups();

  // Pids whose environment carries ASGARD_RUN_ID=<run_id> (readable ones only).
  static std::vector<pid_t> FindMarked(const std::string& run_id);
  // Pids marked with any of `run_ids`.
  static std::vector<pid_t> FindMarked(const std::set<std::string>& run_ids);

 private:
  explicit Containment(std::string base) : base_(std::move(base)) {}
  std::vector<pid_t> Members(const std::string& run_id) const;
  std::string RunDir(const std::string& run_id) const { return base_ + "/" + run_id; }

  std::string base_;  // the daemon's cgroup directory; "" = no cgroups
  std::set<std::string> pending_removal_;
};

}  // namespace asgard::process
