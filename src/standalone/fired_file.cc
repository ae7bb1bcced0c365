#include "standalone/fired_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "common/errno_status.h"

namespace asgard::standalone {
namespace {

int64_t Seconds(WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

UniqueFd OpenForAppend(const std::string& path) {
  return UniqueFd(open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
}

}  // namespace

absl::StatusOr<std::unique_ptr<FiredFile>> FiredFile::Open(const std::string& path) {
  std::set<std::pair<std::string, int64_t>> fired;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    int64_t at;
    std::string name;
    if (fields >> at && fields.get() == ' ' && std::getline(fields, name)) fired.emplace(name, at);
  }
  UniqueFd fd = OpenForAppend(path);
  if (!fd.valid()) return ErrnoStatus("open " + path);
  return std::unique_ptr<FiredFile>(new FiredFile(path, std::move(fd), std::move(fired)));
}

bool FiredFile::WasFired(const std::string& name, WallTime time) const {
  return fired_.count({name, Seconds(time)}) > 0;
}

absl::Status FiredFile::MarkFired(const std::string& name, WallTime time) {
  std::string line = std::to_string(Seconds(time)) + " " + name + "\n";
  ssize_t n = write(fd_.get(), line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size())) return ErrnoStatus("write " + path_);
  fired_.emplace(name, Seconds(time));
  return absl::OkStatus();
}

absl::Status FiredFile::Compact(const std::set<std::pair<std::string, int64_t>>& keep) {
  std::string tmp = path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const auto& entry : fired_) {
      if (keep.count(entry)) out << entry.second << ' ' << entry.first << '\n';
    }
    if (!out) return ErrnoStatus("write " + tmp);
  }
  if (std::rename(tmp.c_str(), path_.c_str()) != 0) return ErrnoStatus("rename " + tmp);
  std::erase_if(fired_, [&](const auto& e) { return !keep.count(e); });
  fd_ = OpenForAppend(path_);
  if (!fd_.valid()) return ErrnoStatus("open " + path_);
  return absl::OkStatus();
}

}  // namespace asgard::standalone
