#include "agent/log_follower.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/log_tail.h"
#include "common/errno_status.h"
#include "common/status_macros.h"
#include "process/task_file.h"

namespace asgard::agent {
namespace {

constexpr size_t kBlockBytes = 64 * 1024;
// Rotated copies ResumeAfter looks through at most (log_sink.h keeps `backups` of them).
constexpr int kMaxRotatedCopies = 1000;

// The byte at `offset` of the file, or -1 (none, or unreadable).
int ByteAt(int fd, off_t offset) {
  char c = 0;
  if (offset < 0 || pread(fd, &c, 1, offset) != 1) return -1;
  return static_cast<unsigned char>(c);
}

// Whether `c` ends a line when `next` (-1: nothing) follows it: "\r\n" ends one line, at '\n'.
bool EndsLine(char c, int next) { return c == '\n' || (c == '\r' && next != '\n'); }

// Where the last `lines` lines of the file (`size` bytes) begin: just past the end of the line
// before them, or 0. A line end as the file's last byte ends its last line, not an empty one.
absl::StatusOr<off_t> TailStart(int fd, off_t size, int lines, const std::string& path) {
  std::string block(kBlockBytes, '\0');
  int next = -1;  // the byte after the one looked at
  int ends = 0;
  for (off_t pos = size; pos > 0;) {
    size_t n = static_cast<size_t>(std::min<off_t>(pos, kBlockBytes));
    pos -= static_cast<off_t>(n);
    ASSIGN_OR_RETURN(size_t got, ReadAt(fd, block.data(), n, pos, path));
    for (size_t i = got; i-- > 0;) {
      const off_t at = pos + static_cast<off_t>(i);
      if (at != size - 1 && EndsLine(block[i], next) && ++ends == lines) return at + 1;
      next = static_cast<unsigned char>(block[i]);
    }
  }
  return 0;
}

}  // namespace

LogFollower::LogFollower(std::string path, bool at_end) : path_(std::move(path)) {
  if (!at_end || !OpenPath().ok()) return;
  struct stat st {};
  if (fstat(fd_.get(), &st) == 0) offset_ = st.st_size;
  after_cr_ = ByteAt(fd_.get(), offset_ - 1) == '\r';
}

absl::StatusOr<LogFollower::File> LogFollower::Open(const std::string& path) {
  // The path may have been swapped for a FIFO since the last look: never block on it.
  ASSIGN_OR_RETURN(process::TaskFile opened, process::OpenTaskFile(path, O_RDONLY));
  return File{std::move(opened.fd), opened.st.st_dev, opened.st.st_ino, opened.st.st_size};
}

absl::StatusOr<LogFollower> LogFollower::AtTail(std::string path, int lines) {
  LogFollower follower(std::move(path), /*at_end=*/false);
  absl::StatusOr<File> file = Open(follower.path_);
  if (absl::IsNotFound(file.status())) return follower;  // read from its start once it exists
  if (!file.ok()) return file.status();
  ASSIGN_OR_RETURN(off_t start, TailStart(file->fd.get(), file->size,
                                          std::clamp(lines, 1, kMaxTailLines), follower.path_));
  follower.StartAt(*std::move(file), start);
  return follower;
}

absl::StatusOr<LogFollower> LogFollower::ResumeAfter(std::string path, LogPosition after) {
  LogFollower follower(std::move(path), /*at_end=*/false);
  std::vector<File> newest_first;  // the file at path, path.1, path.2, ... up to the one wanted
  for (int i = 0; i <= kMaxRotatedCopies; ++i) {
    std::string name = i == 0 ? follower.path_ : absl::StrCat(follower.path_, ".", i);
    absl::StatusOr<File> file = Open(name);
    if (absl::IsNotFound(file.status()) && i == 0) continue;  // rotated, not replaced yet
    if (absl::IsNotFound(file.status())) break;
    if (!file.ok()) return file.status();
    const bool found = file->ino == after.inode;
    newest_first.push_back(*std::move(file));
    if (found) break;
  }
  if (newest_first.empty() || newest_first.back().ino != after.inode) {
    return absl::NotFoundError(
        absl::StrCat(follower.path_, ": no file of it has inode ", after.inode, " any more"));
  }
  File start = std::move(newest_first.back());
  newest_first.pop_back();
  for (auto it = newest_first.rbegin(); it != newest_first.rend(); ++it) {
    follower.newer_.push_back(std::move(*it));
  }
  follower.StartAt(std::move(start), after.offset);
  return follower;
}

absl::Status LogFollower::OpenPath() {
  ASSIGN_OR_RETURN(File file, Open(path_));
  StartAt(std::move(file), 0);
  return absl::OkStatus();
}

void LogFollower::StartAt(File file, off_t offset) {
  fd_ = std::move(file.fd);
  dev_ = file.dev;
  ino_ = file.ino;
  offset_ = offset;
  // At a file's start the last byte read, if any, was the previous file's (log_sink.h splits
  // writes across files): after_cr_ stays as it was.
  if (offset > 0) after_cr_ = ByteAt(fd_.get(), offset - 1) == '\r';
}

absl::StatusOr<std::vector<FollowedLine>> LogFollower::Poll() {
  std::vector<FollowedLine> out;
  // Lines already consumed must reach the caller: an error waits for the next Poll then.
  auto fail = [&out](absl::Status status) -> absl::StatusOr<std::vector<FollowedLine>> {
    if (!out.empty()) return std::move(out);
    return status;
  };
  if (!fd_.valid()) {
    absl::Status opened = OpenPath();
    if (absl::IsNotFound(opened)) return out;
    if (!opened.ok()) return opened;
  }
  size_t budget = kMaxPollBytes;
  // Each round finishes one file and moves to the next. The bound only matters for a file
  // replaced again and again while we read.
  const size_t rounds = 4 + newer_.size();
  for (size_t round = 0; round < rounds; ++round) {
    absl::StatusOr<bool> at_end = ReadToEnd(&budget, &out);
    if (!at_end.ok()) return fail(at_end.status());
    if (!*at_end) break;  // budget spent; rotation is looked at when the old file is done
    absl::StatusOr<bool> moved = NextFile(&budget, &out);
    if (!moved.ok()) return fail(moved.status());
    if (!*moved) break;
  }
  return out;
}

absl::StatusOr<bool> LogFollower::NextFile(size_t* budget, std::vector<FollowedLine>* out) {
  if (!newer_.empty()) {  // rotated copies are not written any more: no need to look again
    File next = std::move(newer_.front());
    newer_.pop_front();
    StartAt(std::move(next), 0);
    return true;
  }
  struct stat st {};
  if (stat(path_.c_str(), &st) != 0) {
    // Renamed away and not replaced yet: the writer may still be writing the old file.
    if (errno == ENOENT) return false;
    return ErrnoStatus("stat " + path_);
  }
  if (st.st_dev == dev_ && st.st_ino == ino_) return false;
  // Rotated. The old file may have grown between ReadToEnd and stat: finish it first.
  ASSIGN_OR_RETURN(bool at_end, ReadToEnd(budget, out));
  if (!at_end) return false;
  absl::Status opened = OpenPath();
  if (absl::IsNotFound(opened)) {
    fd_.reset();  // gone again: the next Poll waits for it and reads it from its start
    return false;
  }
  RETURN_IF_ERROR(opened);
  return true;
}

absl::StatusOr<bool> LogFollower::ReadToEnd(size_t* budget, std::vector<FollowedLine>* out) {
  struct stat st {};
  if (fstat(fd_.get(), &st) != 0) return ErrnoStatus("stat " + path_);
  if (st.st_size < offset_) {  // truncated: what is there now is new
    offset_ = 0;
    after_cr_ = false;
  }
  std::string block(kBlockBytes, '\0');
  while (*budget > 0) {
    ASSIGN_OR_RETURN(size_t got, ReadAt(fd_.get(), block.data(), std::min(kBlockBytes, *budget),
                                        offset_, path_));
    if (got == 0) return true;
    Consume(std::string_view(block.data(), got), offset_, out);
    offset_ += static_cast<off_t>(got);
    *budget -= got;
  }
  return false;
}

void LogFollower::Consume(std::string_view data, off_t at, std::vector<FollowedLine>* out) {
  size_t i = 0;
  if (after_cr_ && !data.empty()) {
    after_cr_ = false;
    if (data[0] == '\n') i = 1;  // the rest of a "\r\n" whose line ended at the '\r'
  }
  while (i < data.size()) {
    const size_t end = data.find_first_of("\r\n", i);
    const size_t stop = end == std::string_view::npos ? data.size() : end;
    // Bytes of a line past kMaxLineBytes are dropped here, as the line is cut anyway.
    const size_t room = kMaxLineBytes - partial_.size();
    partial_.append(data.substr(i, std::min(stop - i, room)));
    if (end == std::string_view::npos) return;
    // A '\r' ends its line at once (a progress bar's update shows now, not at the next '\n').
    const LogPosition line_end{static_cast<uint64_t>(ino_),
                               static_cast<int64_t>(at) + static_cast<int64_t>(end) + 1};
    out->push_back(FollowedLine{std::exchange(partial_, {}), line_end});
    i = end + 1;
    if (data[end] != '\r') continue;
    if (i == data.size()) {
      after_cr_ = true;
    } else if (data[i] == '\n') {
      ++i;
    }
  }
}

}  // namespace asgard::agent
