// File: timing_runner.h
// A one-shot timing: fires once at its time, at most once even across restarts (the fired
// state is persisted through FiredStore before the exec). A time already past when the timing
// is enabled runs at once if it is within `grace`, and is otherwise recorded as missed; so is
// a past time whose fired state is unknown (at most once beats at least once).
//
// Thread-safety: loop thread only.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "common/timer_service.h"
#include "process/launcher.h"
#include "process/observer.h"
#include "runtime/run_set.h"

namespace asgard::runtime {

// Where fired timings are remembered (a file for guard/cron, the agent's state later).
class FiredStore {
 public:
  virtual ~FiredStore() = default;
  virtual bool WasFired(const std::string& name, WallTime time) const = 0;
  // Must be durable against a daemon crash before it returns OK.
  virtual absl::Status MarkFired(const std::string& name, WallTime time) = 0;
  // Why WasFired's "no" cannot be trusted for (name, time): its record may have been lost (a
  // damaged file). nullopt: WasFired is the truth.
  virtual std::optional<std::string> FiredStateUnknown(const std::string& name,
                                                       WallTime time) const {
    return std::nullopt;
  }
};

struct TimingDefinition {
  process::ProcessSpec spec;
  std::string fired_key;  // what FiredStore remembers it by; "" = spec.name
  WallTime time;
  RunPolicy policy;
  std::chrono::seconds grace{60};
};

enum class TimingState { kPending, kRunning, kDone, kFailed, kMissed, kPaused };
const char* TimingStateName(TimingState s);  // "pending", "running", "done", ...

class TimingRunner {
 public:
  TimingRunner(TimingDefinition def, process::Launcher& launcher, TimerService& timers,
               process::RunObserver& observer, FiredStore& fired);
  ~TimingRunner();

  void Enable();
  void StopThen(std::function<void()> done);
  void Rearm();  // after a wall-clock jump

  const TimingDefinition& definition() const { return def_; }
  TimingState state() const { return state_; }
  const RunSet& runs() const { return *runs_; }

 private:
  const std::string& FiredKey() const {
    return def_.fired_key.empty() ? def_.spec.name : def_.fired_key;
  }
  void Fire();
  // Not run, with an exception saying why (`desc`).
  void Miss(const std::string& desc);
  void OnRunEnded(bool ok, bool retrying);

  TimingDefinition def_;
  TimerService& timers_;
  process::RunObserver& observer_;
  FiredStore& fired_;
  std::unique_ptr<RunSet> runs_;
  TimingState state_ = TimingState::kPaused;
  TimerService::TimerId timer_ = 0;
};

}  // namespace asgard::runtime
