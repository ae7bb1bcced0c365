// File: run_set.h
// The runs of one job or timing: start a run, kill it at its timeout through the stop path
// (stop_signal, SIGKILL after stop_timeout), archive each run, report failures, and rerun a
// failed run up to `retries` times after `retry_delay`. Several runs may be alive at once
// (concurrency: allow); each is tracked by its run id.
//
// Ownership: Launcher, TimerService and RunObserver outlive the RunSet.
// Thread-safety: loop thread only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/timer_service.h"
#include "process/launcher.h"
#include "process/observer.h"
#include "runtime/task_def.h"

namespace asgard::runtime {

class RunSet {
 public:
  // Told after each run ends (after its archive), with whether it succeeded and whether a
  // retry follows.
  using RunEnded = std::function<void(const process::ArchiveRecord&, bool ok, bool retrying)>;

  // `spec` must outlive the RunSet (it belongs to the job or timing that owns it).
  RunSet(process::TaskKind kind, const process::ProcessSpec& spec, RunPolicy policy,
         process::Launcher& launcher, TimerService& timers, process::RunObserver& observer,
         RunEnded on_ended);
  ~RunSet();
  RunSet(const RunSet&) = delete;
  RunSet& operator=(const RunSet&) = delete;

  // Starts a first attempt. False when the spawn failed (already reported; retries armed).
  bool Start();
  // Stops every live run (recorded as stopped by Asgard) and cancels pending retries; `done`
  // runs once none is left (at once if none is).
  void StopAll(std::function<void()> done = {});

  size_t live() const { return runs_.size(); }
  std::vector<pid_t> pids() const;
  bool retry_pending() const { return retry_timer_ != 0; }
  const std::optional<process::ArchiveRecord>& last() const { return last_; }
  // Bytes of the latest run's output that could not be written to its files.
  int64_t output_dropped_bytes() const {
    return latest_output_ ? latest_output_->dropped_bytes() : 0;
  }
  const process::ProcessSpec& spec() const { return spec_; }

 private:
  struct Live {
    process::RunInfo info;
    int attempt = 0;
    bool stopped_by_us = false;
    TimerService::TimerId timer = 0;  // timeout, then the SIGKILL deadline
  };

  bool StartAttempt(int attempt);
  // One exception each time the run starts dropping output (a full disk), not one per write.
  void WatchOutput(const process::RunInfo& run);
  void OnExit(const std::string& run_id, const process::ExitInfo& exit);
  void OnTimeout(const std::string& run_id);
  void BeginStop(Live& run);
  void ScheduleRetry(int attempt);
  void Report(const std::string& desc, const std::string& uuid, pid_t pid);
  void MaybeFinishStop();

  process::TaskKind kind_;
  const process::ProcessSpec& spec_;
  RunPolicy policy_;
  process::Launcher& launcher_;
  TimerService& timers_;
  process::RunObserver& observer_;
  RunEnded on_ended_;

  std::map<std::string, Live> runs_;  // by run id
  TimerService::TimerId retry_timer_ = 0;
  std::optional<process::ArchiveRecord> last_;
  std::shared_ptr<process::OutputHealth> latest_output_;  // of the latest run started
  std::vector<std::function<void()>> on_stopped_;
  std::shared_ptr<RunSet*> self_;  // disarms launcher callbacks after destruction
};

}  // namespace asgard::runtime
