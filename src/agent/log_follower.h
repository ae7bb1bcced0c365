// File: log_follower.h
// Following a task's stdout/stderr file as it grows, for the console's live view. Each line
// comes with the place where it ends, in a form that survives rotation (process/log_sink.h
// renames the file to file.1, file.1 to file.2, ...): the file's inode and an offset in it. A
// client that lost the stream resumes right after the last line it got, wherever that file is
// now.
//
//   ASSIGN_OR_RETURN(LogFollower follow, LogFollower::AtTail("/var/log/app.out", 50));
//   ...  // every 200 ms:
//   ASSIGN_OR_RETURN(std::vector<FollowedLine> more, follow.Poll());
//   ...  // on a new stream, after the last line the client got:
//   ASSIGN_OR_RETURN(LogFollower again, LogFollower::ResumeAfter(path, last.end));
//
// A line ends at '\n', at '\r', or at "\r\n" (one end), so that a progress bar's updates are
// lines of their own and no line holds a line break. Lines are returned without their end; one
// longer than kMaxLineBytes is cut to its first kMaxLineBytes bytes (the rest is read past,
// never held in memory). Bytes are returned as they are in the file: they need not be UTF-8.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/unique_fd.h"

namespace asgard::agent {

// A place in a file that a rotation does not change.
struct LogPosition {
  uint64_t inode = 0;
  int64_t offset = 0;  // bytes from the file's start
  friend bool operator==(const LogPosition&, const LogPosition&) = default;
};

struct FollowedLine {
  std::string text;
  LogPosition end;  // just past the line's end ('\n', '\r', or the '\r' of "\r\n")
};

// Poll() returns the complete lines written since the last call (a line is returned once its
// end arrives). Survives rotation (the path now names another file: the old one is read to its
// end, then the new one from its start; a line that continues across the two is joined, as
// log_sink.h splits writes across files) and truncation (the file is shorter than what was
// read: read again from its start). A missing file is waited for: Poll returns no lines until
// it exists, then reads it from its start.
//
// Thread-safety: none; one owner polls. Copying is deleted (it owns fds).
class LogFollower {
 public:
  // Starts at the current end of the file (or, if it does not exist yet, at its start once it
  // appears). Nothing is reported here; an error opening the file shows in Poll.
  explicit LogFollower(std::string path) : LogFollower(std::move(path), /*at_end=*/true) {}
  // Starts where the last `lines` lines (clamped to [1, kMaxTailLines]) of the file begin, so
  // that the first Poll returns them. A missing file is waited for as above; other errors
  // (permissions, not a regular file) are returned.
  static absl::StatusOr<LogFollower> AtTail(std::string path, int lines);
  // Starts right after `after`, in the file that has its inode: the file at `path` or one of
  // its rotated copies (path.1, path.2, ...), whose newer copies and `path` are read next.
  // NotFound when none of them has that inode (rotated out meanwhile).
  static absl::StatusOr<LogFollower> ResumeAfter(std::string path, LogPosition after);

  LogFollower(const LogFollower&) = delete;
  LogFollower& operator=(const LogFollower&) = delete;
  LogFollower(LogFollower&&) = default;
  LogFollower& operator=(LogFollower&&) = default;

  // New complete lines, oldest first (possibly none). Errors other than "the file does not
  // exist" (permissions, I/O) are returned; the follower stays usable.
  absl::StatusOr<std::vector<FollowedLine>> Poll();
  // Byte offset in the current file just past the last complete line Poll returned (or, before
  // any, where following started).
  off_t position() const { return offset_ - static_cast<off_t>(partial_.size()); }

 private:
  struct File {
    UniqueFd fd;
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;  // when opened
  };

  // `at_end`: opens the file and starts at its end; else opens nothing.
  LogFollower(std::string path, bool at_end);
  // A task's file, never blocking on what the path names (process/task_file.h).
  static absl::StatusOr<File> Open(const std::string& path);
  // Opens path_ and reads it from its start; NotFound if it does not exist.
  absl::Status OpenPath();
  // Reads `file` from `offset` on (after_cr_ from the byte before it).
  void StartAt(File file, off_t offset);
  // Reads from offset_ towards the end, at most `*budget` bytes; true if it reached the end.
  absl::StatusOr<bool> ReadToEnd(size_t* budget, std::vector<FollowedLine>* out);
  // Moves on to the next file once fd_'s is read: a newer copy opened by ResumeAfter, else
  // the file now at path_ if that is another. False when there is none (yet).
  absl::StatusOr<bool> NextFile(size_t* budget, std::vector<FollowedLine>* out);
  // Splits `data`, read from fd_'s file at `at`, into lines.
  void Consume(std::string_view data, off_t at, std::vector<FollowedLine>* out);

  std::string path_;
  UniqueFd fd_;    // the file being read; invalid until path_ first exists
  dev_t dev_ = 0;  // identity of fd_'s file, to notice that path_ names another one
  ino_t ino_ = 0;
  off_t offset_ = 0;     // bytes of fd_'s file consumed so far
  std::string partial_;  // the current line's bytes before its end (at most kMaxLineBytes)
  bool after_cr_ = false;  // the last byte consumed was '\r': a '\n' next ends no line
  // Files to read after fd_'s, oldest first (ResumeAfter's newer copies and the file that was
  // at path_ then); path_ is looked at again once they are read.
  std::deque<File> newer_;
};

}  // namespace asgard::agent
