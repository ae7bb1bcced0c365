// File: log_sink.h
// A task's stdout or stderr file, appended to by the daemon and rotated at `max_bytes` while the
// program keeps writing: file -> file.1 -> ... -> file.<backups>, the oldest dropped. A file
// never grows past max_bytes (a larger write is split across files). max_bytes and backups are
// brought within the bounds of process_spec.h (kMinRotateBytes, kMaxBackups), whoever asks.
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

  // Appends `data`, rotating first whenever it would cross max_bytes. On an error (disk full,
  // the new file of a rotation cannot be made) the rest of `data` is dropped, counted in
  // dropped_bytes(), and the error returned; the sink keeps trying with later writes, each
  // costing a bounded number of system calls (a failed open is retried, not the rotation).
  absl::Status Write(std::string_view data);

  const std::string& path() const { return path_; }
  // The path names /dev/null: nothing to keep, so nothing to copy either.
  bool discards() const { return discards_; }
  int64_t size() const { return size_; }
  // Bytes Write() could not write, since Open.
  int64_t dropped_bytes() const { return dropped_bytes_; }

 private:
  LogSink(std::string path, int64_t max_bytes, int backups,
          std::shared_ptr<const FsIdentity> as_user, UniqueFd fd, int64_t size);
  // Makes sure there is a file with room to write to: reopens, or rotates.
  absl::Status MakeRoom();
  absl::Status Drop(std::string_view data, absl::Status why);
  absl::Status Rotate();
  absl::Status Reopen();

  std::string path_;
  int64_t max_bytes_;
  int backups_;
  std::shared_ptr<const FsIdentity> as_user_;  // null: the daemon's own rights
  UniqueFd fd_;   // invalid after a rotation whose new file could not be opened
  int64_t size_;  // bytes in the current file, as far as we wrote them
  int64_t dropped_bytes_ = 0;
  bool discards_ = false;
};

}  // namespace asgard::process
