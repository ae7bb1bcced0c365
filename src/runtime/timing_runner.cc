#include "runtime/timing_runner.h"

#include "common/absl_fmt.h"
#include "spdlog/spdlog.h"

namespace asgard::runtime {

const char* TimingStateName(TimingState s) {
  switch (s) {
    case TimingState::kPending:
      return "pending";
    case TimingState::kRunning:
      return "running";
    case TimingState::kDone:
      return "done";
    case TimingState::kFailed:
      return "failed";
    case TimingState::kMissed:
      return "missed";
    case TimingState::kPaused:
      return "paused";
  }
  return "pending";
}

TimingRunner::TimingRunner(TimingDefinition def, process::Launcher& launcher,
                           TimerService& timers, process::RunObserver& observer,
                           FiredStore& fired)
    : def_(std::move(def)), timers_(timers), observer_(observer), fired_(fired) {
  runs_ = std::make_unique<RunSet>(
      process::TaskKind::kTiming, def_.spec, def_.policy, launcher, timers, observer,
      [this](const process::ArchiveRecord&, bool ok, bool retrying) { OnRunEnded(ok, retrying); });
}

TimingRunner::~TimingRunner() {
  if (timer_) timers_.Cancel(timer_);
}

void TimingRunner::Enable() {
  if (state_ != TimingState::kPaused) return;
  if (fired_.WasFired(FiredKey(), def_.time)) {
    state_ = TimingState::kDone;
    return;
  }
  WallTime now = timers_.WallNow();
  if (def_.time > now) {
    state_ = TimingState::kPending;
    timer_ = timers_.RunAtWall(def_.time, [this] {
      timer_ = 0;
      Fire();
    });
    return;
  }
  if (now - def_.time > def_.grace) {
    auto late = std::chrono::duration_cast<std::chrono::seconds>(now - def_.time).count();
    return Miss("missed: its time passed " + std::to_string(late) + "s ago, beyond grace of " +
                std::to_string(def_.grace.count()) + "s; not run");
  }
  // It may have run already and its record been lost: running it again could do the work twice.
  if (auto why = fired_.FiredStateUnknown(FiredKey(), def_.time)) {
    spdlog::error("timing {}: not run: {}", def_.spec.name, *why);
    return Miss("not run: " + *why + "; a timing runs at most once");
  }
  Fire();
}

void TimingRunner::Miss(const std::string& desc) {
  state_ = TimingState::kMissed;
  process::ExceptionRecord e;
  e.kind = process::TaskKind::kTiming;
  e.name = def_.spec.name;
  e.time = timers_.WallNow();
  e.desc = desc;
  observer_.OnException(e);
}

void TimingRunner::Rearm() {
  if (state_ != TimingState::kPending) return;
  if (timer_) timers_.Cancel(timer_);
  timer_ = 0;
  state_ = TimingState::kPaused;
  Enable();
}

void TimingRunner::Fire() {
  // At most once: remember the fire before the exec; if that fails, do not run at all.
  if (auto s = fired_.MarkFired(FiredKey(), def_.time); !s.ok()) {
    spdlog::error("timing {}: cannot record that it fired ({}); not running it", def_.spec.name,
                  s.message());
    state_ = TimingState::kFailed;
    process::ExceptionRecord e;
    e.kind = process::TaskKind::kTiming;
    e.name = def_.spec.name;
    e.time = timers_.WallNow();
    e.desc = "start fail: cannot persist fired state: " + std::string(s.message());
    observer_.OnException(e);
    return;
  }
  state_ = TimingState::kRunning;
  runs_->Start();
}

void TimingRunner::OnRunEnded(bool ok, bool retrying) {
  if (retrying) return;
  if (runs_->live() > 0) return;
  state_ = ok ? TimingState::kDone : TimingState::kFailed;
}

void TimingRunner::StopThen(std::function<void()> done) {
  if (timer_) timers_.Cancel(timer_);
  timer_ = 0;
  if (state_ == TimingState::kPending) state_ = TimingState::kPaused;
  runs_->StopAll(std::move(done));
}

}  // namespace asgard::runtime
