#include "process/log_sink.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

#include "common/errno_status.h"
#include "common/logging.h"

namespace asgard::process {
namespace {

absl::StatusOr<UniqueFd> OpenAppend(const std::string& path, const FsIdentity* as_user,
                                    int64_t* size) {
  FsIdentityScope scope(as_user);
  if (absl::Status s = scope.status(); !s.ok()) return s;
  constexpr int kFlags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC;
  // A user's own output is theirs alone (their tasks run with umask 077 too).
  const mode_t mode = as_user != nullptr ? 0600 : 0644;
  UniqueFd fd(open(path.c_str(), kFlags, mode));
  auto slash = path.rfind('/');
  if (!fd.valid() && errno == ENOENT && slash != std::string::npos && slash > 0) {
    // Only a missing directory costs the extra system calls (this is on the restart path).
    if (auto s = MakeDirs(path.substr(0, slash), 0755); !s.ok()) return s;
    fd.reset(open(path.c_str(), kFlags, mode));
  }
  if (!fd.valid()) return ErrnoStatus("open " + path);
  struct stat st {};
  fstat(fd.get(), &st);
  *size = st.st_size;
  return fd;
}

}  // namespace

absl::StatusOr<std::unique_ptr<LogSink>> LogSink::Open(
    const std::string& path, int64_t max_bytes, int backups,
    std::shared_ptr<const FsIdentity> as_user) {
  int64_t size = 0;
  auto fd = OpenAppend(path, as_user.get(), &size);
  if (!fd.ok()) return fd.status();
  return std::unique_ptr<LogSink>(
      new LogSink(path, max_bytes, backups, std::move(as_user), std::move(*fd), size));
}

LogSink::LogSink(std::string path, int64_t max_bytes, int backups,
                 std::shared_ptr<const FsIdentity> as_user, UniqueFd fd, int64_t size)
    : path_(std::move(path)),
      max_bytes_(max_bytes),
      backups_(backups),
      as_user_(std::move(as_user)),
      fd_(std::move(fd)),
      size_(size) {}

absl::Status LogSink::Write(std::string_view data) {
  while (!data.empty()) {
    if (max_bytes_ > 0 && size_ >= max_bytes_) {
      if (auto s = Rotate(); !s.ok()) return s;
    }
    size_t room = max_bytes_ > 0 ? static_cast<size_t>(max_bytes_ - size_) : data.size();
    size_t chunk = std::min(room, data.size());
    ssize_t n = ::write(fd_.get(), data.data(), chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write " + path_);
    }
    size_ += n;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status LogSink::Rotate() {
  if (backups_ <= 0) {
    // Nothing kept: start the file over.
    if (ftruncate(fd_.get(), 0) != 0) return ErrnoStatus("truncate " + path_);
    size_ = 0;
    return absl::OkStatus();
  }
  {
    FsIdentityScope scope(as_user_.get());
    if (absl::Status s = scope.status(); !s.ok()) return s;
    std::remove((path_ + "." + std::to_string(backups_)).c_str());
    for (int i = backups_ - 1; i >= 1; --i) {
      std::rename((path_ + "." + std::to_string(i)).c_str(),
                  (path_ + "." + std::to_string(i + 1)).c_str());
    }
    if (std::rename(path_.c_str(), (path_ + ".1").c_str()) != 0) {
      return ErrnoStatus("rotate " + path_);
    }
  }
  return Reopen();
}

absl::Status LogSink::Reopen() {
  int64_t size = 0;
  auto fd = OpenAppend(path_, as_user_.get(), &size);
  if (!fd.ok()) return fd.status();
  fd_ = std::move(*fd);
  size_ = size;
  return absl::OkStatus();
}

}  // namespace asgard::process
