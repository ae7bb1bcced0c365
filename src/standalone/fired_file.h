// File: fired_file.h
// FiredStore on local disk for `asgard cron`: one line "<unix seconds> <name>" appended per
// fired timing to runtime/timings.fired, read back at start, so that a timing fires at most
// once even when the daemon restarts. A write() reaches the kernel before the exec, which is
// what survives a daemon crash; the file is compacted at start.
#pragma once

#include <set>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "common/unique_fd.h"
#include "sched/timing_runner.h"

namespace asgard::standalone {

class FiredFile final : public sched::FiredStore {
 public:
  static absl::StatusOr<std::unique_ptr<FiredFile>> Open(const std::string& path);

  bool WasFired(const std::string& name, WallTime time) const override;
  absl::Status MarkFired(const std::string& name, WallTime time) override;
  // Drops entries of timings no longer configured (called after a load or reload).
  absl::Status Compact(const std::set<std::pair<std::string, int64_t>>& keep);

 private:
  FiredFile(std::string path, UniqueFd fd, std::set<std::pair<std::string, int64_t>> fired)
      : path_(std::move(path)), fd_(std::move(fd)), fired_(std::move(fired)) {}

  std::string path_;
  UniqueFd fd_;
  std::set<std::pair<std::string, int64_t>> fired_;  // (name, unix seconds)
};

}  // namespace asgard::standalone
