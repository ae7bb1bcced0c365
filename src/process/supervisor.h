// File: supervisor.h
// Keeps one app in its desired state, as supervisord does for a program:
//
//   desired run:    stopped/exited/fatal --Start--> starting --start_secs--> running
//                   starting --exit--> backoff (delay 100 ms doubling to backoff_max)
//                   backoff --delay--> starting;  more than max_restarts failed starts -> fatal
//                   running --exit--> starting at once (auto_restart) or exited
//   desired pause:  starting/running --Stop--> stopping --exit--> stopped
//                   stopping: stop_signal to the run, SIGKILL after stop_timeout
//
// Every run leaves an archive record; start failures and the restart limit leave exceptions.
// All waits are timers on the injected TimerService; nothing blocks.
//
// Ownership: the Launcher, TimerService and RunObserver must outlive the Supervisor. Destroying
// a Supervisor whose process is alive is allowed (callbacks are disarmed) but leaves the
// process to the launcher; stop it first (StopThen) to get an archive.
// Thread-safety: loop thread only.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/timer_service.h"
#include "process/launcher.h"
#include "process/observer.h"
#include "process/process_spec.h"
#include "process/process_state.h"

namespace asgard::process {

class Supervisor {
 public:
  Supervisor(ProcessSpec spec, RestartPolicy policy, Launcher& launcher, TimerService& timers,
             RunObserver& observer);
  ~Supervisor();
  Supervisor(const Supervisor&) = delete;
  Supervisor& operator=(const Supervisor&) = delete;

  // Desired run: starts now unless a process is already up (a fatal app starts afresh).
  void Start();
  // Desired pause: stops the process (stop_signal, then SIGKILL after stop_timeout).
  void Stop();
  // Stops the current process if any, then starts a new one.
  void Restart();
  // Stop(), then `done` once no process of this app is left (at once if none is).
  void StopThen(std::function<void()> done);

  const ProcessSpec& spec() const { return spec_; }
  const RestartPolicy& policy() const { return policy_; }
  ProcessState state() const { return state_; }
  Desired desired() const { return desired_; }
  pid_t pid() const { return HasProcess(state_) ? run_.pid : 0; }
  const std::string& run_id() const { return run_.run_id; }
  WallClock::time_point started_at() const { return run_.begin; }
  int restarts() const { return restarts_; }       // restarts since the daemon started
  int failed_starts() const { return failures_; }  // consecutive failed starts
  const std::optional<ArchiveRecord>& last_exit() const { return last_exit_; }
  // Bytes of the current (or last) run's output that could not be written to its files.
  int64_t output_dropped_bytes() const { return run_.output ? run_.output->dropped_bytes() : 0; }

 private:
  void Spawn();
  void OnSpawned(const RunInfo& run);
  // One exception each time the run starts dropping output (a full disk), not one per write.
  void WatchOutput(const RunInfo& run);
  void OnSpawnFailed(const absl::Status& error);
  void OnExit(const ExitInfo& exit);
  void OnStarted();
  void OnFailedStart();
  void BeginStop();
  void OnStopTimeout();
  void FinishStop();
  void SetState(ProcessState next);
  void CancelTimer();
  Duration BackoffDelay() const;
  void Report(const std::string& desc, pid_t pid);

  ProcessSpec spec_;
  RestartPolicy policy_;
  Launcher& launcher_;
  TimerService& timers_;
  RunObserver& observer_;

  ProcessState state_ = ProcessState::kStopped;
  Desired desired_ = Desired::kPause;
  RunInfo run_;                  // the current or last run
  TimerService::TimerId timer_ = 0;  // start_secs, backoff or stop timeout; 0 = none
  int restarts_ = 0;
  int failures_ = 0;
  std::optional<ArchiveRecord> last_exit_;
  std::vector<std::function<void()>> on_stopped_;
  // Shared with launcher callbacks so that a destroyed Supervisor is never called back.
  std::shared_ptr<Supervisor*> self_;
};

}  // namespace asgard::process
