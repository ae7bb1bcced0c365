#include "runtime/job_runner.h"

#include <algorithm>
#include <string>

#include "spdlog/spdlog.h"

namespace asgard::runtime {

JobRunner::JobRunner(JobDefinition def, process::Launcher& launcher, TimerService& timers,
                     process::RunObserver& observer)
    : def_(std::move(def)),
      timers_(timers),
      observer_(observer),
      runs_(std::make_unique<RunSet>(process::TaskKind::kJob, def_.spec, def_.policy, launcher,
                                     timers, observer, nullptr)) {}

JobRunner::~JobRunner() { Disable(); }

void JobRunner::Enable() {
  if (enabled_) return;
  enabled_ = true;
  Arm(timers_.WallNow());
}

void JobRunner::Disable() {
  enabled_ = false;
  if (timer_) timers_.Cancel(timer_);
  timer_ = 0;
  next_fire_.reset();
}

void JobRunner::Rearm() {
  if (!enabled_) return;
  if (timer_) timers_.Cancel(timer_);
  timer_ = 0;
  Arm(timers_.WallNow());
}

void JobRunner::Arm(WallTime after) {
  auto next = def_.schedule.Next(absl::FromChrono(after));
  if (!next) {
    next_fire_.reset();
    spdlog::warn("job {}: no further fire time", def_.spec.name);
    return;
  }
  WallTime when = absl::ToChronoTime(*next);
  next_fire_ = when;
  timer_ = timers_.RunAtWall(when, [this, when] {
    timer_ = 0;
    OnFire(when);
  });
}

void JobRunner::OnFire(WallTime scheduled) {
  // The next fire comes from the scheduled instant, not from now, so a late wake-up never
  // skips or repeats a fire; after a long stall (suspend) it resumes from now instead of
  // replaying every missed fire.
  WallTime now = timers_.WallNow();
  Arm(now - scheduled > std::chrono::minutes(1) ? now : scheduled);
  last_fire_ = scheduled;
  Launch();
}

void JobRunner::RunNow() {
  last_fire_ = timers_.WallNow();
  Launch();
}

void JobRunner::Launch() {
  if (runs_->live() > 0) {
    if (def_.concurrency == Concurrency::kForbid) {
      return Skip("skipped: the previous run is still running (concurrency: forbid)");
    }
    if (def_.concurrency == Concurrency::kReplace) runs_->StopAll();
  }
  // Runs still stopping after a replace count too: they are alive.
  if (runs_->live() >= static_cast<size_t>(std::max(1, def_.max_concurrent))) {
    return Skip("skipped: " + std::to_string(runs_->live()) +
                " runs are still running, as many as max_concurrent allows (concurrency: " +
                ConcurrencyName(def_.concurrency) + ")");
  }
  runs_->Start();
}

void JobRunner::Skip(const std::string& why) {
  ++skipped_;
  process::ExceptionRecord e;
  e.kind = process::TaskKind::kJob;
  e.name = def_.spec.name;
  e.time = timers_.WallNow();
  e.desc = why;
  observer_.OnException(e);
}

void JobRunner::StopThen(std::function<void()> done) {
  Disable();
  runs_->StopAll(std::move(done));
}

}  // namespace asgard::runtime
