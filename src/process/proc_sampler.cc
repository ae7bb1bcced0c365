#include "process/proc_sampler.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace asgard::process {
namespace {

double SecondsSinceBoot() {
  std::ifstream in("/proc/uptime");
  double up = 0;
  in >> up;
  return up;
}

}  // namespace

std::optional<ProcStat> ReadProcStat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
  auto close = line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  ProcStat stat;
  long ticks = sysconf(_SC_CLK_TCK);
  // Fields from 3 (state) on; utime=14 stime=15 num_threads=20 starttime=22 rss=24.
  for (int i = 3; i <= 24 && rest >> field; ++i) {
    if (i == 14 || i == 15) stat.cpu_seconds += std::stod(field) / ticks;
    if (i == 20) stat.threads = std::stoi(field);
    if (i == 22) stat.start_seconds = std::stod(field) / ticks;
    if (i == 24) stat.rss_bytes = std::stol(field) * sysconf(_SC_PAGESIZE);
  }
  return stat;
}

std::optional<ProcSample> ProcSampler::Sample(pid_t pid) {
  auto stat = ReadProcStat(pid);
  if (!stat) {
    last_.erase(pid);
    return std::nullopt;
  }
  auto now = std::chrono::steady_clock::now();
  ProcSample sample;
  sample.rss_mb = static_cast<double>(stat->rss_bytes) / (1024.0 * 1024.0);
  sample.threads = stat->threads;
  auto it = last_.find(pid);
  double interval = 0, used = 0;
  if (it != last_.end()) {
    interval = std::chrono::duration<double>(now - it->second.at).count();
    used = stat->cpu_seconds - it->second.cpu_seconds;
  } else {
    interval = SecondsSinceBoot() - stat->start_seconds;
    used = stat->cpu_seconds;
  }
  if (interval > 0) sample.cpu_percent = 100.0 * used / interval;
  last_[pid] = Last{stat->cpu_seconds, now};
  return sample;
}

}  // namespace asgard::process
