#include "standalone/unix_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "common/errno_status.h"
#include "common/unique_fd.h"
#include "spdlog/spdlog.h"

namespace asgard::standalone {

bool SocketIsServed(const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) return false;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  return fd.valid() &&
         connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
}

absl::Status ClaimSocketPath(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return absl::OkStatus();
  if (!S_ISSOCK(st.st_mode)) {
    return absl::FailedPreconditionError(path + " exists and is not a socket; remove it or use -s");
  }
  if (SocketIsServed(path)) {
    return absl::FailedPreconditionError("another daemon is already listening on " + path);
  }
  spdlog::info("removing stale socket {} left by a daemon that did not stop cleanly", path);
  if (unlink(path.c_str()) != 0) return ErrnoStatus("remove stale socket " + path);
  return absl::OkStatus();
}

}  // namespace asgard::standalone
