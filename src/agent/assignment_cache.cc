#include "agent/assignment_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>

#include "common/errno_status.h"
#include "common/unique_fd.h"

namespace asgard::agent {

absl::Status SaveAssignmentCache(const std::string& path, const v1::Assignment& assignment) {
  std::string tmp = path + ".tmp";
  std::string bytes = assignment.SerializeAsString();
  {
    UniqueFd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd.valid()) return ErrnoStatus("open " + tmp);
    size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = write(fd.get(), bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return ErrnoStatus("write " + tmp);
      done += static_cast<size_t>(n);
    }
    if (fsync(fd.get()) != 0) return ErrnoStatus("fsync " + tmp);
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) return ErrnoStatus("rename " + tmp);
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::Assignment>> LoadAssignmentCache(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::optional<v1::Assignment>();
  v1::Assignment assignment;
  if (!assignment.ParseFromIstream(&in)) {
    return absl::DataLossError("assignment cache " + path + " does not parse; ignoring it");
  }
  return std::optional<v1::Assignment>(std::move(assignment));
}

}  // namespace asgard::agent
