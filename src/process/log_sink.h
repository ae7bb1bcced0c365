// File: log_sink.h
// A task's stdout or stderr file, appended to by the daemon and rotated at `max_bytes` while the
// program keeps writing: file -> file.1 -> ... -> file.<backups>, the oldest dropped. A file
// never grows past max_bytes (a larger write is split across files).
//
// With an identity (fs_identity.h), the file, its directories and its rotations are made with
// that user's rights, not the daemon's: for tasks whose user may not choose paths as root.
//
// Thread-safety: none; used from the loop thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/unique_fd.h"
#include "process/fs_identity.h"

namespace asgard::process {

class LogSink {
 public:
  // Opens (creating the file and its missing parent directories) for appending; as
  // `as_user` when given.
  static absl::StatusOr<std::unique_ptr<LogSink>> Open(
      const std::string& path, int64_t max_bytes, int backups,
      std::shared_ptr<const FsIdentity> as_user = nullptr);

  // Appends `data`, rotating first whenever it would cross max_bytes. A write error is returned
  // once and the data dropped; the sink keeps working for later writes.
  absl::Status Write(std::string_view data);

  const std::string& path() const { return path_; }
  int64_t size() const { return size_; }

 private:
  LogSink(std::string path, int64_t max_bytes, int backups,
          std::shared_ptr<const FsIdentity> as_user, UniqueFd fd, int64_t size);
  absl::Status Rotate();
  absl::Status Reopen();

  std::string path_;
  int64_t max_bytes_;
  int backups_;
  std::shared_ptr<const FsIdentity> as_user_;  // null: the daemon's own rights
  UniqueFd fd_;
  int64_t size_;  // bytes in the current file, as far as we wrote them
};

}  // namespace asgard::process
