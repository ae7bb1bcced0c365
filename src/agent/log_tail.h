// File: log_tail.h
// Reading a task's stdout/stderr file for the console: the last lines of it (TailLines), and
// the lines added to it since the last look (LogFollower), with the file rotated
// (process/log_sink.h renames it to file.1 and starts a new one) or truncated meanwhile.
//
//   ASSIGN_OR_RETURN(std::vector<std::string> last, TailLines("/var/log/app.out", 200));
//   LogFollower follow("/var/log/app.out");
//   ...  // every second:
//   ASSIGN_OR_RETURN(std::vector<std::string> more, follow.Poll());
//
// Lines are returned without their '\n'. A line longer than kMaxLineBytes is cut to its first
// kMaxLineBytes bytes (the rest is read past, never held in memory). Bytes are returned as
// they are in the file: they need not be UTF-8.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/unique_fd.h"

namespace asgard::agent {

inline constexpr int kMaxTailLines = 5000;
inline constexpr size_t kMaxLineBytes = 64 * 1024;  // longer lines are cut to this
// At most this many bytes are read by one LogFollower::Poll; the rest waits for the next one,
// so that a burst of output cannot make one answer arbitrarily large.
inline constexpr size_t kMaxPollBytes = 4 * 1024 * 1024;

// The last `lines` lines (clamped to [1, kMaxTailLines]) of the file at `path`, oldest first.
// A final line without '\n' counts; an empty file has none. Reads backwards from the end in
// blocks, so the cost follows the bytes of the lines returned, not the size of the file.
// NotFound if the file does not exist; other open/read errors as ErrnoStatus.
absl::StatusOr<std::vector<std::string>> TailLines(const std::string& path, int lines);

// Follows a file as it grows. Poll() returns the complete lines written since the last call
// (a line is returned once its '\n' arrives). Survives rotation (the path now names another
// file: the old one is read to its end, then the new one from its start; a line that
// continues across the two is joined, as log_sink.h splits writes across files) and truncation
// (the file is shorter than what was read: read again from its start). A missing file is
// waited for: Poll returns no lines until it exists, then reads it from its start.
//
// Thread-safety: none; one owner polls. Copying is deleted (it owns an fd).
class LogFollower {
 public:
  // Starts at the current end of the file (or, if it does not exist yet, at its start once it
  // appears). Nothing is reported here; an error opening the file shows in Poll.
  explicit LogFollower(std::string path);

  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;
  LogFollower(LogFollower&&) = default;
  LogFollower& operator=(LogFollower&&) = default;

  // New complete lines, oldest first (possibly none). Errors other than "the file does not
  // exist" (permissions, I/O) are returned; the follower stays usable.
  absl::StatusOr<std::vector<std::string>> Poll();
  // Byte offset in the current file just past the last complete line Poll returned (or, before
  // any, where following started).
  off_t position() const { return offset_ - static_cast<off_t>(partial_.size()); }

 private:
  // Opens path_ and remembers which file that is; NotFound if it does not exist.
  absl::Status OpenPath();
  // Reads from offset_ towards the end, at most `*budget` bytes; true if it reached the end.
  absl::StatusOr<bool> ReadToEnd(size_t* budget, std::vector<std::string>* out);
  void Consume(std::string_view data, std::vector<std::string>* out);

  std::string path_;
  UniqueFd fd_;    // the file being read; invalid until path_ first exists
  dev_t dev_ = 0;  // identity of fd_'s file, to notice that path_ names another one
  ino_t ino_ = 0;
  off_t offset_ = 0;     // bytes of fd_'s file consumed so far
  std::string partial_;  // the current line's bytes before its '\n' (at most kMaxLineBytes)
};

}  // namespace asgard::agent
