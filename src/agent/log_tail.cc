#include "agent/log_tail.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <utility>

#include "common/errno_status.h"
#include "common/status_macros.h"
#include "process/task_file.h"

namespace asgard::agent {
namespace {

constexpr size_t kBlockBytes = 64 * 1024;

// pread that retries EINTR and short reads: `size` bytes unless the file ends first.
absl::StatusOr<size_t> ReadAt(int fd, char* buf, size_t size, off_t offset,
                              const std::string& path) {
  size_t got = 0;
  while (got < size) {
    ssize_t n = pread(fd, buf + got, size - got, offset + static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("read " + path);
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  return got;
}

// Puts `bytes` in front of `line`, which holds the start of a line read backwards; only the
// first kMaxLineBytes are kept, since that is all a cut line shows.
void Prepend(std::string_view bytes, std::string* line) {
  if (bytes.size() >= kMaxLineBytes) {
    line->assign(bytes.substr(0, kMaxLineBytes));
    return;
  }
  line->insert(0, bytes);
  if (line->size() > kMaxLineBytes) line->resize(kMaxLineBytes);
}

}  // namespace

absl::StatusOr<std::vector<std::string>> TailLines(const std::string& path, int lines) {
  const size_t want = static_cast<size_t>(std::clamp(lines, 1, kMaxTailLines));
  // Not open(): a FIFO under this name would block the reading thread (task_file.h).
  ASSIGN_OR_RETURN(process::TaskFile file, process::OpenTaskFile(path, O_RDONLY));
  const UniqueFd& fd = file.fd;
  const struct stat& st = file.st;

  std::vector<std::string> newest_first;
  std::string line;  // the line being assembled, whose end has been seen and start not yet
  std::string block(kBlockBytes, '\0');
  off_t pos = st.st_size;
  bool at_file_end = true;
  while (pos > 0 && newest_first.size() < want) {
    size_t n = static_cast<size_t>(std::min<off_t>(pos, kBlockBytes));
    pos -= static_cast<off_t>(n);
    // Fewer bytes only if the file was truncated meanwhile: use what is there.
    ASSIGN_OR_RETURN(size_t end, ReadAt(fd.get(), block.data(), n, pos, path));
    // The file's last '\n' ends its last line; it does not start an empty one after it.
    if (at_file_end && end > 0 && block[end - 1] == '\n') --end;
    at_file_end = false;
    while (end > 0) {
      auto* nl = static_cast<const char*>(memrchr(block.data(), '\n', end));
      size_t start = nl == nullptr ? 0 : static_cast<size_t>(nl - block.data()) + 1;
      Prepend(std::string_view(block.data() + start, end - start), &line);
      if (nl == nullptr) break;
      newest_first.push_back(std::exchange(line, {}));
      if (newest_first.size() == want) break;
      end = start - 1;
    }
  }
  // Reached the start of the file: what was assembled is its first line.
  if (pos == 0 && st.st_size > 0 && newest_first.size() < want) {
    newest_first.push_back(std::move(line));
  }
  return std::vector<std::string>(std::make_move_iterator(newest_first.rbegin()),
                                  std::make_move_iterator(newest_first.rend()));
}

LogFollower::LogFollower(std::string path) : path_(std::move(path)) {
  if (OpenPath().ok()) {
    struct stat st {};
    if (fstat(fd_.get(), &st) == 0) offset_ = st.st_size;
  }
}

absl::Status LogFollower::OpenPath() {
  // The path may have been swapped for a FIFO since the last look: never block on it.
  ASSIGN_OR_RETURN(process::TaskFile file, process::OpenTaskFile(path_, O_RDONLY));
  fd_ = std::move(file.fd);
  dev_ = file.st.st_dev;
  ino_ = file.st.st_ino;
  offset_ = 0;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> LogFollower::Poll() {
  std::vector<std::string> out;
  // Lines already consumed must reach the caller: an error waits for the next Poll then.
  auto fail = [&out](absl::Status status) -> absl::StatusOr<std::vector<std::string>> {
    if (!out.empty()) return std::move(out);
    return status;
  };
  if (!fd_.valid()) {
    absl::Status opened = OpenPath();
    if (absl::IsNotFound(opened)) return out;
    if (!opened.ok()) return opened;
  }
  size_t budget = kMaxPollBytes;
  // Each round finishes one file and moves to the one now at path_. The bound only matters
  // for a file replaced again and again while we read.
  for (int round = 0; round < 4; ++round) {
    absl::StatusOr<bool> at_end = ReadToEnd(&budget, &out);
    if (!at_end.ok()) return fail(at_end.status());
    if (!*at_end) break;  // budget spent; rotation is looked at when the old file is done
    struct stat st {};
    if (stat(path_.c_str(), &st) != 0) {
      // Renamed away and not replaced yet: the writer may still be writing the old file.
      if (errno == ENOENT) break;
      return fail(ErrnoStatus("stat " + path_));
    }
    if (st.st_dev == dev_ && st.st_ino == ino_) break;
    // Rotated. The old file may have grown between ReadToEnd and stat: finish it first.
    at_end = ReadToEnd(&budget, &out);
    if (!at_end.ok()) return fail(at_end.status());
    if (!*at_end) break;
    absl::Status opened = OpenPath();
    if (absl::IsNotFound(opened)) {
      fd_.reset();  // gone again: the next Poll waits for it and reads it from its start
      break;
    }
    if (!opened.ok()) return fail(opened);
  }
  return out;
}

absl::StatusOr<bool> LogFollower::ReadToEnd(size_t* budget, std::vector<std::string>* out) {
  struct stat st {};
  if (fstat(fd_.get(), &st) != 0) return ErrnoStatus("stat " + path_);
  if (st.st_size < offset_) offset_ = 0;  // truncated: what is there now is new
  std::string block(kBlockBytes, '\0');
  while (*budget > 0) {
    ASSIGN_OR_RETURN(size_t got, ReadAt(fd_.get(), block.data(), std::min(kBlockBytes, *budget),
                                        offset_, path_));
    if (got == 0) return true;
    offset_ += static_cast<off_t>(got);
    *budget -= got;
    Consume(std::string_view(block.data(), got), out);
  }
  return false;
}

void LogFollower::Consume(std::string_view data, std::vector<std::string>* out) {
  while (!data.empty()) {
    size_t nl = data.find('\n');
    // Bytes of a line past kMaxLineBytes are dropped here, as the line is cut anyway.
    size_t room = kMaxLineBytes - partial_.size();
    partial_.append(data.substr(0, std::min({nl, data.size(), room})));
    if (nl == std::string_view::npos) return;
    out->push_back(std::exchange(partial_, {}));
    data.remove_prefix(nl + 1);
  }
}

}  // namespace asgard::agent
