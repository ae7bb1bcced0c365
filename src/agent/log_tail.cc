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

}  // namespace asgard::agent
