#include "process/task_file.h"

#include <fcntl.h>
#include <sys/sysmacros.h>

#include <cerrno>

#include "common/errno_status.h"

namespace asgard::process {
namespace {

const char* KindOf(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISLNK(mode)) return "a symbolic link (not followed)";
  return "not a regular file";
}

bool IsDevNull(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3); }

absl::Status NotARegularFile(const std::string& path, mode_t mode) {
  return absl::FailedPreconditionError(path + " is " + KindOf(mode) +
                                       ", not a regular file (output files must be regular "
                                       "files or /dev/null)");
}

// open() refused the path without saying what it is (ELOOP for a final symbolic link under
// O_NOFOLLOW, ENXIO for a FIFO without a reader or a socket, EISDIR): name it.
absl::Status DescribeRefusal(const std::string& path, int err) {
  struct stat st {};
  if (err != ENOENT && err != EACCES && err != EPERM && lstat(path.c_str(), &st) == 0 &&
      !S_ISREG(st.st_mode)) {
    return NotARegularFile(path, st.st_mode);
  }
  return ErrnoStatus("open " + path, err);
}

}  // namespace

absl::StatusOr<TaskFile> OpenTaskFile(const std::string& path, int flags, mode_t mode) {
  TaskFile file;
  file.fd.reset(open(path.c_str(), flags | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC, mode));
  if (!file.fd.valid()) return DescribeRefusal(path, errno);
  if (fstat(file.fd.get(), &file.st) != 0) return ErrnoStatus("stat " + path);
  file.dev_null = IsDevNull(file.st);
  if (!S_ISREG(file.st.st_mode) && !file.dev_null) return NotARegularFile(path, file.st.st_mode);
  return file;
}

}  // namespace asgard::process
