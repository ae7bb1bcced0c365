// File: cgroup_spares.h
// Run cgroups made ahead of need by a helper thread: each is a fresh run id's directory under
// the daemon's cgroup, already created and opened. A burst of spawns (1,000 timings due in one
// second) then takes them instead of paying a mkdir and an open on the spawning thread per run;
// the helper makes the next ones on the other core meanwhile. Runs are still named by their id
// (cgroup v2 cannot rename a cgroup), so the id is decided when its cgroup is made.
//
//   CgroupSpares spares(base, 16);
//   if (auto spare = spares.Take()) Spawn(spare->run_id, spare->cgroup.get());
//
// Thread-safety: Take from any thread. The destructor stops the helper and removes the spares
// nobody took.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/unique_fd.h"

namespace asgard::process {

class CgroupSpares {
 public:
  struct Spare {
    std::string run_id;
    UniqueFd cgroup;  // the directory base/<run_id>, opened O_DIRECTORY
  };

  // Keeps up to `depth` spares under `base`.
  CgroupSpares(std::string base, size_t depth);
  ~CgroupSpares();
  CgroupSpares(const CgroupSpares&) = delete;
  CgroupSpares& operator=(const CgroupSpares&) = delete;

  // A spare if one is ready; none when the helper has not caught up (or cannot create any).
  std::optional<Spare> Take();

 private:
  void Fill();

  const std::string base_;
  const size_t depth_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Spare> ready_;
  bool stopping_ = false;
  std::thread helper_;
};

}  // namespace asgard::process
