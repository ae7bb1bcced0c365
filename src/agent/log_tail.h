// File: log_tail.h
// Reading a task's stdout/stderr file for the console: the last lines of it (TailLines). The
// lines added to it since the last look come from LogFollower (log_follower.h).
//
//   ASSIGN_OR_RETURN(std::vector<std::string> last, TailLines("/var/log/app.out", 200));
//
// Lines are returned without their '\n'. A line longer than kMaxLineBytes is cut to its first
// kMaxLineBytes bytes (the rest is read past, never held in memory). Bytes are returned as
// they are in the file: they need not be UTF-8.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

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

// pread that retries EINTR and short reads: `size` bytes unless the file ends first; errors
// name `path`.
absl::StatusOr<size_t> ReadAt(int fd, char* buf, size_t size, off_t offset,
                              const std::string& path);

}  // namespace asgard::agent
