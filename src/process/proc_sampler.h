// File: proc_sampler.h
// CPU, memory and threads of a process from /proc, with CPU% over the last interval (the time
// since the previous sample of the same pid), not the lifetime average the original showed.
//
//   ProcSampler sampler;
//   auto s = sampler.Sample(pid);  // first call: CPU% since the process started
//   ...                            // later calls: CPU% since the previous call
//
// Thread-safety: none; one sampler per loop.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <unordered_map>

namespace asgard::process {

struct ProcSample {
  double cpu_percent = 0;  // of one core, over the interval
  double rss_mb = 0;
  int threads = 0;
};

class ProcSampler {
 public:
  // nullopt when the process is gone or unreadable.
  std::optional<ProcSample> Sample(pid_t pid);
  // Drops remembered counters of pids no longer sampled.
  void Forget(pid_t pid) { last_.erase(pid); }

 private:
  struct Last {
    double cpu_seconds;
    std::chrono::steady_clock::time_point at;
  };
  std::unordered_map<pid_t, Last> last_;
};

// Reads utime+stime (seconds), RSS (bytes), threads and start time (seconds since boot).
struct ProcStat {
  double cpu_seconds = 0;
  long rss_bytes = 0;
  int threads = 0;
  double start_seconds = 0;
};
std::optional<ProcStat> ReadProcStat(pid_t pid);

}  // namespace asgard::process
