#include "process/supervisor.h"

#include <algorithm>

#include "common/absl_fmt.h"
#include "spdlog/spdlog.h"

namespace asgard::process {

namespace {
constexpr auto kFirstBackoff = std::chrono::milliseconds(100);
}  // namespace

Supervisor::Supervisor(ProcessSpec spec, RestartPolicy policy, Launcher& launcher,
                       TimerService& timers, RunObserver& observer)
    : spec_(std::move(spec)),
      policy_(policy),
      launcher_(launcher),
      timers_(timers),
      observer_(observer),
      self_(std::make_shared<Supervisor*>(this)) {}

Supervisor::~Supervisor() {
  *self_ = nullptr;
  CancelTimer();
}

void Supervisor::Start() {
  desired_ = Desired::kRun;
  switch (state_) {
    case ProcessState::kFatal:  // FATAL -> STARTING: the user asked again, count afresh
    case ProcessState::kStopped:
    case ProcessState::kExited:
      failures_ = 0;
      Spawn();
      return;
    default:  // starting, running, backoff: already on its way; stopping: restarts on exit
      return;
  }
}

void Supervisor::Stop() {
  desired_ = Desired::kPause;
  switch (state_) {
    case ProcessState::kStarting:
    case ProcessState::kRunning:
      BeginStop();  // STARTING/RUNNING -> STOPPING
      return;
    case ProcessState::kBackoff:
      CancelTimer();  // BACKOFF -> STOPPED
      SetState(ProcessState::kStopped);
      FinishStop();
      return;
    case ProcessState::kStopping:
      return;
    default:
      FinishStop();
      return;
  }
}

void Supervisor::Restart() {
  if (state_ == ProcessState::kStarting || state_ == ProcessState::kRunning) {
    desired_ = Desired::kRun;
    BeginStop();  // FinishStop() starts again because desired is run
    return;
  }
  if (state_ == ProcessState::kBackoff) CancelTimer();
  desired_ = Desired::kRun;
  if (state_ != ProcessState::kStopping) {
    failures_ = 0;
    Spawn();
  }
}

void Supervisor::StopThen(std::function<void()> done) {
  on_stopped_.push_back(std::move(done));
  Stop();
}

void Supervisor::Spawn() {
  std::weak_ptr<Supervisor*> weak = self_;
  auto run = launcher_.Spawn(spec_, [weak](const ExitInfo& exit) {
    if (auto self = weak.lock(); self && *self) (*self)->OnExit(exit);
  });
  if (run.ok()) {
    OnSpawned(*run);
  } else {
    OnSpawnFailed(run.status());
  }
}

void Supervisor::OnSpawned(const RunInfo& run) {
  run_ = run;
  WatchOutput(run);
  SetState(ProcessState::kStarting);
  if (policy_.start_secs.count() <= 0) return OnStarted();
  CancelTimer();
  timer_ = timers_.RunAfter(policy_.start_secs, [this] {
    timer_ = 0;
    OnStarted();
  });
}

void Supervisor::WatchOutput(const RunInfo& run) {
  if (!run.output) return;
  std::weak_ptr<Supervisor*> weak = self_;
  run.output->OnDropStarted([weak, id = run.run_id, pid = run.pid](const absl::Status& why) {
    auto self = weak.lock();
    if (!self || !*self) return;
    ExceptionRecord e;
    e.kind = TaskKind::kApp;
    e.name = (*self)->spec_.name;
    e.uuid = id;
    e.pid = pid;
    e.time = WallClock::now();
    e.desc = DropDescription(why);
    (*self)->observer_.OnException(e);
  });
}

void Supervisor::OnStarted() {
  // STARTING -> RUNNING: it stayed up start_secs, so earlier failures no longer count.
  failures_ = 0;
  SetState(ProcessState::kRunning);
}

void Supervisor::OnSpawnFailed(const absl::Status& error) {
  spdlog::warn("app {}: start failed: {}", spec_.name, error.message());
  ArchiveRecord record;
  record.kind = TaskKind::kApp;
  record.name = spec_.name;
  record.begin = record.end = WallClock::now();
  record.status = kStatusUnknown;
  record.signal = "unknow";
  last_exit_ = record;
  observer_.OnArchive(record);
  Report("start fail: " + std::string(error.message()), 0);
  OnFailedStart();
}

void Supervisor::OnFailedStart() {
  ++failures_;
  if (failures_ > policy_.max_restarts) {
    // BACKOFF/STARTING -> FATAL: give up until the user starts it again.
    spdlog::error("app {}: {} failed starts in a row, giving up", spec_.name, failures_);
    SetState(ProcessState::kFatal);
    Report("restart reach max limited", run_.pid);
    return;
  }
  SetState(ProcessState::kBackoff);  // STARTING -> BACKOFF
  ++restarts_;
  CancelTimer();
  timer_ = timers_.RunAfter(BackoffDelay(), [this] {
    timer_ = 0;
    Spawn();  // BACKOFF -> STARTING
  });
}

Duration Supervisor::BackoffDelay() const {
  Duration delay = kFirstBackoff;
  for (int i = 1; i < failures_ && delay < policy_.backoff_max; ++i) delay *= 2;
  return std::min<Duration>(delay, policy_.backoff_max);
}

void Supervisor::OnExit(const ExitInfo& exit) {
  bool stopping = state_ == ProcessState::kStopping;
  ArchiveRecord record = MakeArchive(TaskKind::kApp, spec_.name, run_.run_id, run_.begin, exit,
                                     stopping);
  last_exit_ = record;
  observer_.OnArchive(record);
  ProcessState was = state_;
  CancelTimer();
  if (was == ProcessState::kStopping) return FinishStop();  // STOPPING -> STOPPED
  if (was == ProcessState::kStarting) return OnFailedStart();
  if (policy_.auto_restart && desired_ == Desired::kRun) {
    ++restarts_;  // RUNNING -> STARTING: it had been up start_secs, restart at once
    return Spawn();
  }
  SetState(ProcessState::kExited);  // RUNNING -> EXITED
}

void Supervisor::BeginStop() {
  CancelTimer();
  SetState(ProcessState::kStopping);
  if (spec_.stop_timeout.count() <= 0) {
    launcher_.Signal(run_.run_id, SIGKILL);
    return;
  }
  launcher_.Signal(run_.run_id, spec_.stop_signal.number());
  timer_ = timers_.RunAfter(spec_.stop_timeout, [this] {
    timer_ = 0;
    OnStopTimeout();
  });
}

void Supervisor::OnStopTimeout() {
  spdlog::warn("app {}: still running {}s after signal {}, sending SIGKILL", spec_.name,
               spec_.stop_timeout.count(), spec_.stop_signal.Name());
  launcher_.Signal(run_.run_id, SIGKILL);
}

void Supervisor::FinishStop() {
  if (state_ == ProcessState::kStopping) SetState(ProcessState::kStopped);
  if (desired_ == Desired::kRun) {  // a restart was asked while stopping
    failures_ = 0;
    return Spawn();
  }
  auto callbacks = std::move(on_stopped_);
  on_stopped_.clear();
  for (auto& done : callbacks) done();
}

void Supervisor::SetState(ProcessState next) {
  if (next == state_) return;
  ProcessState prev = state_;
  state_ = next;
  observer_.OnStateChange(TaskKind::kApp, spec_.name, prev, next);
}

void Supervisor::CancelTimer() {
  if (timer_ != 0) timers_.Cancel(timer_);
  timer_ = 0;
}

void Supervisor::Report(const std::string& desc, pid_t pid) {
  ExceptionRecord e;
  e.kind = TaskKind::kApp;
  e.name = spec_.name;
  e.uuid = run_.run_id;
  e.pid = pid;
  e.time = WallClock::now();
  e.desc = desc;
  observer_.OnException(e);
}

}  // namespace asgard::process
