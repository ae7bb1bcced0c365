#include "runtime/run_set.h"

#include "common/absl_fmt.h"
#include "spdlog/spdlog.h"

namespace asgard::runtime {

using process::ArchiveRecord;
using process::ExitInfo;

RunSet::RunSet(process::TaskKind kind, const process::ProcessSpec& spec, RunPolicy policy,
               process::Launcher& launcher, TimerService& timers,
               process::RunObserver& observer, RunEnded on_ended)
    : kind_(kind),
      spec_(spec),
      policy_(policy),
      launcher_(launcher),
      timers_(timers),
      observer_(observer),
      on_ended_(std::move(on_ended)),
      self_(std::make_shared<RunSet*>(this)) {}

RunSet::~RunSet() {
  *self_ = nullptr;
  for (auto& [id, run] : runs_) {
    if (run.timer) timers_.Cancel(run.timer);
  }
  if (retry_timer_) timers_.Cancel(retry_timer_);
}

std::vector<pid_t> RunSet::pids() const {
  std::vector<pid_t> out;
  for (const auto& [id, run] : runs_) out.push_back(run.info.pid);
  return out;
}

bool RunSet::Start() { return StartAttempt(0); }

bool RunSet::StartAttempt(int attempt) {
  std::weak_ptr<RunSet*> weak = self_;
  auto holder = std::make_shared<std::string>();
  auto run = launcher_.Spawn(spec_, [weak, holder](const ExitInfo& exit) {
    if (auto self = weak.lock(); self && *self) (*self)->OnExit(*holder, exit);
  });
  if (!run.ok()) {
    spdlog::warn("{} {}: start failed: {}", process::TaskKindName(kind_), spec_.name,
                 run.status().message());
    ArchiveRecord record;
    record.kind = kind_;
    record.name = spec_.name;
    record.begin = record.end = timers_.WallNow();
    record.status = process::kStatusUnknown;
    record.signal = "unknow";
    last_ = record;
    observer_.OnArchive(record);
    Report("start fail: " + std::string(run.status().message()), "", 0);
    bool retrying = attempt < policy_.retries;
    if (retrying) ScheduleRetry(attempt + 1);
    if (on_ended_) on_ended_(record, false, retrying);
    return false;
  }
  *holder = run->run_id;
  WatchOutput(*run);
  Live& live = runs_[run->run_id];
  live.info = *run;
  live.attempt = attempt;
  if (policy_.timeout.count() > 0) {
    std::string id = run->run_id;
    live.timer = timers_.RunAfter(policy_.timeout, [this, id] { OnTimeout(id); });
  }
  return true;
}

void RunSet::WatchOutput(const process::RunInfo& run) {
  latest_output_ = run.output;
  if (!run.output) return;
  std::weak_ptr<RunSet*> weak = self_;
  run.output->OnDropStarted([weak, id = run.run_id, pid = run.pid](const absl::Status& why) {
    if (auto self = weak.lock(); self && *self) {
      (*self)->Report(process::DropDescription(why), id, pid);
    }
  });
}

void RunSet::OnTimeout(const std::string& run_id) {
  auto it = runs_.find(run_id);
  if (it == runs_.end()) return;
  it->second.timer = 0;
  spdlog::warn("{} {}: timed out after {}s, stopping it", process::TaskKindName(kind_),
               spec_.name, policy_.timeout.count());
  // The archive will only say "signalled": this record says why (and alerts name it).
  Report("timeout: still running after " + std::to_string(policy_.timeout.count()) +
             "s; stopped",
         run_id, it->second.info.pid);
  BeginStop(it->second);
}

void RunSet::BeginStop(Live& run) {
  if (run.timer) timers_.Cancel(run.timer);
  if (spec_.stop_timeout.count() <= 0) {
    launcher_.Signal(run.info.run_id, SIGKILL);
    run.timer = 0;
    return;
  }
  launcher_.Signal(run.info.run_id, spec_.stop_signal.number());
  std::string id = run.info.run_id;
  run.timer = timers_.RunAfter(spec_.stop_timeout, [this, id] {
    auto it = runs_.find(id);
    if (it == runs_.end()) return;
    it->second.timer = 0;
    launcher_.Signal(id, SIGKILL);
  });
}

void RunSet::OnExit(const std::string& run_id, const ExitInfo& exit) {
  auto it = runs_.find(run_id);
  if (it == runs_.end()) return;
  Live run = it->second;
  runs_.erase(it);
  if (run.timer) timers_.Cancel(run.timer);
  ArchiveRecord record = process::MakeArchive(kind_, spec_.name, run_id, run.info.begin, exit,
                                              run.stopped_by_us);
  last_ = record;
  observer_.OnArchive(record);
  bool ok = !run.stopped_by_us && !exit.signalled && exit.code == 0;
  bool retrying = false;
  if (!ok && !run.stopped_by_us) {
    Report("finished unseccessed with status: " + std::to_string(record.status), run_id,
           exit.pid);
    retrying = run.attempt < policy_.retries && on_stopped_.empty();
    if (retrying) ScheduleRetry(run.attempt + 1);
  }
  if (on_ended_) on_ended_(record, ok, retrying);
  MaybeFinishStop();
}

void RunSet::ScheduleRetry(int attempt) {
  if (retry_timer_) timers_.Cancel(retry_timer_);
  retry_timer_ = timers_.RunAfter(policy_.retry_delay, [this, attempt] {
    retry_timer_ = 0;
    StartAttempt(attempt);
  });
}

void RunSet::StopAll(std::function<void()> done) {
  if (retry_timer_) timers_.Cancel(retry_timer_);
  retry_timer_ = 0;
  if (done) on_stopped_.push_back(std::move(done));
  for (auto& [id, run] : runs_) {
    if (run.stopped_by_us) continue;
    run.stopped_by_us = true;
    BeginStop(run);
  }
  MaybeFinishStop();
}

void RunSet::MaybeFinishStop() {
  if (!runs_.empty() || on_stopped_.empty()) return;
  auto callbacks = std::move(on_stopped_);
  on_stopped_.clear();
  for (auto& fn : callbacks) fn();
}

void RunSet::Report(const std::string& desc, const std::string& uuid, pid_t pid) {
  process::ExceptionRecord e;
  e.kind = kind_;
  e.name = spec_.name;
  e.uuid = uuid;
  e.pid = pid;
  e.time = timers_.WallNow();
  e.desc = desc;
  observer_.OnException(e);
}

}  // namespace asgard::runtime
