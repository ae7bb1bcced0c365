// File: fired_file.h
// FiredStore on local disk for `asgard cron` and the agent: one line "<unix seconds> <name>"
// appended per fired timing to runtime/timings.fired, read back at start, so that a timing fires
// at most once even when the daemon restarts. A write() reaches the kernel before the exec,
// which is what survives a daemon crash; the file is compacted at start.
//
// A damaged file (a line that does not parse, a torn last line) may have lost the record of a
// timing that fired. Open then moves it aside (<path>.corrupt, logged), keeps what it could
// read, and remembers the instant of the damage in the new file ("unknown-before <seconds>"):
// a timing due before that instant and not listed has an unknown fired state
// (FiredStateUnknown), so it does not run again, however long its grace, at this start or any
// later one.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<FiredFile> fired, FiredFile::Open("runtime/timings.fired"));
#pragma once

#include <optional>
#include <set>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "common/unique_fd.h"
#include "runtime/timing_runner.h"

namespace asgard::runtime {

class FiredFile final : public FiredStore {
 public:
  // `now` dates a damage found here.
  static absl::StatusOr<std::unique_ptr<FiredFile>> Open(
      const std::string& path, WallTime now = std::chrono::system_clock::now());

  bool WasFired(const std::string& name, WallTime time) const override;
  absl::Status MarkFired(const std::string& name, WallTime time) override;
  std::optional<std::string> FiredStateUnknown(const std::string& name,
                                               WallTime time) const override;
  // Drops entries of timings no longer configured (called after a load or reload). The
  // instant of an earlier damage is kept.
  absl::Status Compact(const std::set<std::pair<std::string, int64_t>>& keep);

 private:
  using Entries = std::set<std::pair<std::string, int64_t>>;  // (name, unix seconds)

  FiredFile(std::string path, UniqueFd fd, Entries fired, std::optional<int64_t> unknown_before)
      : path_(std::move(path)),
        fd_(std::move(fd)),
        fired_(std::move(fired)),
        unknown_before_(unknown_before) {}
  // Writes the entries that `keep` accepts, and the damage instant, in place of the file.
  template <typename Keep>
  absl::Status Rewrite(Keep keep);

  std::string path_;
  UniqueFd fd_;
  Entries fired_;
  // Timings due at or before this instant (unix seconds) may have fired unrecorded.
  std::optional<int64_t> unknown_before_;
};

}  // namespace asgard::runtime
