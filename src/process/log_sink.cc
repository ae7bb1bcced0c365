#include "process/log_sink.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>

#include "common/errno_status.h"
#include "common/logging.h"
#include "process/process_spec.h"
#include "process/task_file.h"

namespace asgard::process {
namespace {

// Appending to a path the task's author chose: see task_file.h for what is refused and why.
absl::StatusOr<TaskFile> OpenAppend(const std::string& path, const FsIdentity* as_user) {
  FsIdentityScope scope(as_user);
  if (absl::Status s = scope.status(); !s.ok()) return s;
  constexpr int kFlags = O_WRONLY | O_CREAT | O_APPEND;
  // A user's own output is theirs alone (their tasks run with umask 077 too).
  const mode_t mode = as_user != nullptr ? 0600 : 0644;
  absl::StatusOr<TaskFile> file = OpenTaskFile(path, kFlags, mode);
  auto slash = path.rfind('/');
  if (absl::IsNotFound(file.status()) && slash != std::string::npos && slash > 0) {
    // Only a missing directory costs the extra system calls (this is on the restart path).
    if (auto s = MakeDirs(path.substr(0, slash), 0755); !s.ok()) return s;
    file = OpenTaskFile(path, kFlags, mode);
  }
  return file;
}

}  // namespace

absl::StatusOr<std::unique_ptr<LogSink>> LogSink::Open(
    const std::string& path, int64_t max_bytes, int backups,
    std::shared_ptr<const FsIdentity> as_user) {
  // app.yaml and the API refuse values out of bounds; older stores may still hold some.
  if (max_bytes > 0) max_bytes = std::max(max_bytes, kMinRotateBytes);
  backups = std::clamp(backups, 0, kMaxBackups);
  auto file = OpenAppend(path, as_user.get());
  if (!file.ok()) return file.status();
  // /dev/null discards: renaming it away at max_bytes would be a disaster, so it never rotates.
  if (file->dev_null) max_bytes = 0;
  std::unique_ptr<LogSink> sink(new LogSink(path, max_bytes, backups, std::move(as_user),
                                            std::move(file->fd), file->st.st_size));
  sink->discards_ = file->dev_null;
  return sink;
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
    if (absl::Status ready = MakeRoom(); !ready.ok()) return Drop(data, ready);
    // A file that is already full after a rotation (someone else's big file at the path) is
    // written past max_bytes rather than rotated again in a loop.
    size_t room = max_bytes_ > size_ ? static_cast<size_t>(max_bytes_ - size_) : data.size();
    size_t chunk = std::min(room, data.size());
    ssize_t n = ::write(fd_.get(), data.data(), chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Drop(data, ErrnoStatus("write " + path_));
    }
    size_ += n;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

absl::Status LogSink::MakeRoom() {
  // A failed open (after a rotation) is retried alone: the renames are not done again.
  if (!fd_.valid()) return Reopen();
  if (max_bytes_ > 0 && size_ >= max_bytes_) return Rotate();
  return absl::OkStatus();
}

absl::Status LogSink::Drop(std::string_view data, absl::Status why) {
  dropped_bytes_ += static_cast<int64_t>(data.size());
  return why;
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
    // ENOENT: someone removed the file; a new one is made all the same.
    if (std::rename(path_.c_str(), (path_ + ".1").c_str()) != 0 && errno != ENOENT) {
      return ErrnoStatus("rotate " + path_);
    }
  }
  fd_.reset();  // it is path.1 now, and full
  return Reopen();
}

absl::Status LogSink::Reopen() {
  auto file = OpenAppend(path_, as_user_.get());
  if (!file.ok()) return file.status();
  fd_ = std::move(file->fd);
  size_ = file->st.st_size;
  return absl::OkStatus();
}

}  // namespace asgard::process
