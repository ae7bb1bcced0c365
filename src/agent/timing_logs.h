// File: timing_logs.h
// Where the stdout/stderr of the timings this agent ran are, kept after a timing leaves the
// assignment (the store sends only timings still to run, so a finished one leaves at the next
// pull) so that the console can still show its last run's output. Kept on disk as well, so
// that an agent restart does not forget them; bounded to the kKeep most recent timings (by id).
//
//   TimingLogs logs("runtime/agent-timing-logs.pb");
//   for (const auto& def : assigned_timings) logs.Remember(def);
//   logs.Save();                                              // once, if anything changed
//   const v1::TaskDefinition* found = logs.Find(id);          // after it left the assignment
//
// Only what reading the files needs is kept: ref, name, std_out, std_err, user, as_task_user,
// owner_id.
// Thread-safety: none; the task host's loop thread.
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "asgard/v1/task.pb.h"

namespace asgard::agent {

class TimingLogs {
 public:
  static constexpr size_t kKeep = 1000;

  // `path` "" = in memory only. A file that does not parse is logged and ignored.
  explicit TimingLogs(std::string path = "");

  // Keeps `def`'s log files (a timing's), in memory until Save.
  void Remember(const v1::TaskDefinition& def);
  // Writes the file if Remember changed anything since the last Save (one fsync per batch of
  // changes, not one per timing: this runs on the loop thread).
  void Save();
  // The remembered timing `id`, or null.
  const v1::TaskDefinition* Find(int64_t id) const;

 private:
  std::string path_;
  std::map<int64_t, v1::TaskDefinition> by_id_;
  bool changed_ = false;  // since the last Save
};

}  // namespace asgard::agent
