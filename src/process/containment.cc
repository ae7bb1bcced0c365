#include "process/containment.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>

#include "spdlog/spdlog.h"

namespace asgard::process {
namespace {

std::string ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The cgroup2 mount point, from /proc/self/mountinfo (field 5 is the mount point, and the
// filesystem type follows the " - " separator).
std::string Cgroup2Mount() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    auto sep = line.find(" - ");
    if (sep == std::string::npos || line.compare(sep + 3, 8, "cgroup2 ") != 0) continue;
    std::istringstream fields(line.substr(0, sep));
    std::string id, parent, devs, root, mount;
    fields >> id >> parent >> devs >> root >> mount;
    return mount;
  }
  return "";
}

// Our own cgroup v2 path ("0::/path" in /proc/self/cgroup).
std::string OwnCgroup() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  }
  return "";
}

bool ProcessExists(pid_t pid) { return kill(pid, 0) == 0 || errno == EPERM; }

std::vector<pid_t> ReadPids(const std::string& procs_file) {
  std::vector<pid_t> pids;
  std::ifstream in(procs_file);
  pid_t pid;
  while (in >> pid) pids.push_back(pid);
  return pids;
}

void KillCgroup(const std::string& dir) {
  int fd = open((dir + "/cgroup.kill").c_str(), O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    [[maybe_unused]] ssize_t n = write(fd, "1", 1);
    close(fd);
    return;
  }
  for (pid_t pid : ReadPids(dir + "/cgroup.procs")) kill(pid, SIGKILL);  // kernels before 5.14
}

// Kills the processes in the cgroups of daemons with the same tag that are no longer alive;
// returns those cgroups (runs and daemons) to be removed once their processes are gone.
std::vector<std::string> SweepStale(const std::string& parent, const std::string& prefix) {
  std::vector<std::string> stale;
  DIR* d = opendir(parent.c_str());
  if (!d) return stale;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name.rfind(prefix, 0) != 0) continue;
    pid_t owner = std::atoi(name.c_str() + prefix.size());
    if (owner <= 0 || ProcessExists(owner)) continue;
    std::string dir = parent + "/" + name;
    DIR* runs = opendir(dir.c_str());
    while (runs && (e = readdir(runs))) {
      if (e->d_name[0] == '.' || e->d_type != DT_DIR) continue;
      std::string run = dir + "/" + e->d_name;
      if (!ReadPids(run + "/cgroup.procs").empty()) {
        KillCgroup(run);
        spdlog::warn("killed processes left by a previous daemon (cgroup {})", run);
      }
      stale.push_back(run);
    }
    if (runs) closedir(runs);
    stale.push_back(dir);
  }
  closedir(d);
  return stale;
}

}  // namespace

std::unique_ptr<Containment> Containment::Create(const std::string& tag) {
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  std::string mount = Cgroup2Mount();
  std::string own = OwnCgroup();
  if (mount.empty() || own.empty()) return std::unique_ptr<Containment>(new Containment(""));
  std::string parent = mount + (own == "/" ? "" : own);
  std::string prefix = "asgard-" + tag + "-";
  std::vector<std::string> stale = SweepStale(parent, prefix);
  std::string base = parent + "/" + prefix + std::to_string(getpid());
  if (mkdir(base.c_str(), 0755) != 0 && errno != EEXIST) {
    spdlog::debug("cgroup2 at {} is not writable ({}); using run markers only", parent,
                  std::strerror(errno));
    return std::unique_ptr<Containment>(new Containment(""));
  }
  std::unique_ptr<Containment> c(new Containment(base));
  // Killed processes take a moment to die: what cannot go now goes after a later reap.
  c->pending_removal_.insert(stale.begin(), stale.end());
  c->RemoveEmptyCgroups();
  return c;
}

Containment::~Containment() {
  if (base_.empty()) return;
  // At shutdown the last killed descendants may still be dying: give them a moment (bounded)
  // so that their cgroups, and ours, can be removed instead of being left for the next start.
  for (int attempt = 0; attempt < 200; ++attempt) {
    RemoveEmptyCgroups();
    if (pending_removal_.empty()) break;
    usleep(10'000);
  }
  rmdir(base_.c_str());
}

UniqueFd Containment::PrepareRun(const std::string& run_id) {
  if (base_.empty()) return UniqueFd();
  std::string dir = RunDir(run_id);
  if (mkdir(dir.c_str(), 0755) != 0) return UniqueFd();
  return UniqueFd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

std::vector<pid_t> Containment::Members(const std::string& run_id) const {
  if (!base_.empty()) {
    struct stat st {};
    if (stat(RunDir(run_id).c_str(), &st) == 0) return ReadPids(RunDir(run_id) + "/cgroup.procs");
  }
  return FindMarked(run_id);
}

void Containment::Signal(const std::string& run_id, pid_t pgid, int sig) {
  if (pgid > 0) kill(-pgid, sig);
  for (pid_t pid : Members(run_id)) kill(pid, sig);
}

bool Containment::KillRemains(const std::string& run_id, pid_t pgid) {
  if (pgid > 0) kill(-pgid, SIGKILL);
  std::string dir = RunDir(run_id);
  // Most runs leave nothing behind: their empty cgroup goes at once (the kernel refuses to
  // remove one that still holds a process), without opening cgroup.kill for nobody.
  if (!base_.empty() && rmdir(dir.c_str()) == 0) return false;
  struct stat st {};
  if (!base_.empty() && stat(dir.c_str(), &st) == 0) {
    KillCgroup(dir);
    pending_removal_.insert(dir);
    RemoveEmptyCgroups();
    return false;
  }
  return true;
}

void Containment::KillMarked(const std::string& run_id) {
  KillMarked(std::set<std::string>{run_id});
}

void Containment::KillMarked(const std::set<std::string>& run_ids) {
  for (pid_t pid : FindMarked(run_ids)) kill(pid, SIGKILL);
}

void Containment::RemoveEmptyCgroups() {
  // Deepest first: a cgroup sorts after its parent, which can go only once it is empty.
  std::vector<std::string> removed;
  for (auto it = pending_removal_.rbegin(); it != pending_removal_.rend(); ++it) {
    if (rmdir(it->c_str()) == 0 || errno == ENOENT) removed.push_back(*it);
  }
  for (const auto& dir : removed) pending_removal_.erase(dir);
}

std::vector<pid_t> Containment::FindMarked(const std::string& run_id) {
  return FindMarked(std::set<std::string>{run_id});
}

std::vector<pid_t> Containment::FindMarked(const std::set<std::string>& run_ids) {
  std::vector<pid_t> found;
  if (run_ids.empty()) return found;
  static constexpr std::string_view kMarker = "ASGARD_RUN_ID=";
  DIR* proc = opendir("/proc");
  if (!proc) return found;
  while (dirent* e = readdir(proc)) {
    pid_t pid = std::atoi(e->d_name);
    if (pid <= 0 || pid == getpid()) continue;
    const std::string env = ReadSmallFile(std::string("/proc/") + e->d_name + "/environ");
    // Whole entries only: a marker starts an entry, and its value runs to the entry's NUL.
    for (size_t start = 0; start < env.size();) {
      size_t end = env.find('\0', start);
      if (end == std::string::npos) end = env.size();
      std::string_view entry(env.data() + start, end - start);
      if (entry.substr(0, kMarker.size()) == kMarker &&
          run_ids.contains(std::string(entry.substr(kMarker.size())))) {
        found.push_back(pid);
        break;
      }
      start = end + 1;
    }
  }
  closedir(proc);
  return found;
}

}  // namespace asgard::process
