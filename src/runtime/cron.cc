#include "runtime/cron.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace asgard::runtime {
namespace {

void FillCommon(TaskView& v, int position, const process::ProcessSpec& spec, const RunSet& runs,
                const process::ProcSample& sample) {
  v.id = position;
  FillFromSpec(spec, v);
  auto pids = runs.pids();
  v.running = static_cast<int>(pids.size());
  v.pid = pids.empty() ? 0 : pids.front();
  v.last_exit = runs.last();
  v.output_dropped_bytes = runs.output_dropped_bytes();
  FillFromSample(sample, v);
}

}  // namespace

Cron::Cron(TimerService& timers, process::Launcher& launcher, std::unique_ptr<FiredStore> fired)
    : timers_(timers), launcher_(launcher), fired_(std::move(fired)) {}

Cron::~Cron() = default;

std::string Cron::FiredKey(const TaskId& id) {
  return id.number > 0 ? absl::StrCat("timing#", id.number) : id.name;
}

template <typename Runner>
void Cron::Retire(Entry<Runner>&& entry, std::function<void()> then) {
  if (!entry.runner) {
    if (then) then();
    return;
  }
  ++retiring_;
  Runner* raw = entry.runner.release();
  process::RunObserver* tap = entry.tap.release();
  raw->StopThen([this, raw, tap, then = std::move(then)] {
    // Destroy later: we are inside the runner's own call stack.
    // A zero delay: the next turn of the loop.
    timers_.RunAfter(Duration::zero(), [this, raw, tap] {
      delete raw;
      delete tap;  // after the runner that reported to it
      if (--retiring_ == 0) {
        auto callbacks = std::move(on_retired_);
        on_retired_.clear();
        for (auto& fn : callbacks) fn();
      }
    });
    if (then) then();
  });
}

void Cron::AddJob(const TaskDef& job) {
  const JobPolicy& policy = job.job();
  JobDefinition def{job.spec, policy.schedule, policy.run, policy.concurrency,
                    policy.max_concurrent};
  JobEntry& entry = jobs_[job.id];
  entry.def = job;
  entry.tap = records_.Tap(job.id);
  entry.runner = std::make_unique<JobRunner>(std::move(def), launcher_, timers_, *entry.tap);
  entry.runner->Enable();
}

void Cron::AddTiming(const TaskDef& timing) {
  const TimingPolicy& policy = timing.timing();
  TimingDefinition def;
  def.spec = timing.spec;
  def.fired_key = FiredKey(timing.id);
  def.time = policy.time;
  def.policy = policy.run;
  def.grace = policy.grace;
  TimingEntry& entry = timings_[timing.id];
  entry.def = timing;
  entry.tap = records_.Tap(timing.id);
  entry.runner =
      std::make_unique<TimingRunner>(std::move(def), launcher_, timers_, *entry.tap, *fired_);
  entry.runner->Enable();
}

// Applies one kind (jobs or timings): removed ones stop, changed ones restart with their new
// definition, new ones start, unchanged ones are left alone.
template <typename Runner>
void Cron::ApplyKind(TaskKind kind, const TaskSet& tasks, std::vector<TaskId>& order,
                     std::map<TaskId, Entry<Runner>>& entries,
                     void (Cron::*add)(const TaskDef&)) {
  const char* what = process::TaskKindName(kind);
  std::vector<const TaskDef*> list = tasks.OfKind(kind);
  std::vector<TaskId> next;
  next.reserve(list.size());
  for (const TaskDef* def : list) next.push_back(def->id);
  for (const TaskId& id : order) {
    if (tasks.Find(id)) continue;
    spdlog::info("{} {}: removed from the configuration", what, id.name);
    auto it = entries.find(id);
    if (it != entries.end()) {
      Retire(std::move(it->second), {});
      entries.erase(it);
    }
    records_.Forget(id);
  }
  for (const TaskDef* def : list) {
    auto it = entries.find(def->id);
    if (it == entries.end()) {
      (this->*add)(*def);
      continue;
    }
    if (it->second.def == *def) continue;
    spdlog::info("{} {}: definition changed", what, def->id.name);
    Entry<Runner> old = std::move(it->second);
    entries.erase(it);
    // Not once the daemon began stopping: a timing would be marked fired, then killed.
    Retire(std::move(old), [this, copy = *def, add, &entries] {
      // Nor when a later Apply removed it or already started it again.
      if (!stopping_ && positions_.count(copy.id) && !entries.count(copy.id)) (this->*add)(copy);
    });
  }
  order = std::move(next);
}

void Cron::Apply(const TaskSet& tasks) {
  ApplyKind(TaskKind::kJob, tasks, job_order_, jobs_, &Cron::AddJob);
  ApplyKind(TaskKind::kTiming, tasks, timing_order_, timings_, &Cron::AddTiming);
  positions_.clear();
  for (const auto* order : {&job_order_, &timing_order_}) {
    for (size_t i = 0; i < order->size(); ++i) {
      positions_.emplace((*order)[i], static_cast<int>(i));
    }
  }
}

bool Cron::RunJobNow(const TaskId& id) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return false;
  it->second.runner->RunNow();
  return true;
}

void Cron::StopAll(std::function<void()> done) {
  stopping_ = true;
  auto remaining = std::make_shared<size_t>(jobs_.size() + timings_.size() + 1);
  auto one_done = [remaining, done] {
    if (--*remaining == 0) done();
  };
  for (auto& [id, e] : jobs_) e.runner->StopThen(one_done);
  for (auto& [id, e] : timings_) e.runner->StopThen(one_done);
  if (retiring_ > 0) {
    on_retired_.push_back(one_done);
  } else {
    one_done();
  }
}

void Cron::OnClockJump() {
  spdlog::warn("the wall clock jumped; recomputing fire times");
  for (auto& [id, e] : jobs_) e.runner->Rearm();
  for (auto& [id, e] : timings_) e.runner->Rearm();
}

void Cron::Sample() {
  auto sample = [this](auto& entries) {
    for (auto& [id, e] : entries) {
      auto pids = e.runner->runs().pids();
      e.sample = {};
      if (!pids.empty()) {
        if (auto s = sampler_.Sample(pids.front())) e.sample = *s;
      }
    }
  };
  sample(jobs_);
  sample(timings_);
}

TaskView Cron::JobView(int position, const JobEntry& e) const {
  const JobPolicy& policy = e.def.job();
  TaskView v;
  v.kind = TaskKind::kJob;
  FillCommon(v, position, e.def.spec, e.runner->runs(), e.sample);
  v.spec = policy.schedule.spec();
  v.timeout = policy.run.timeout.count();
  v.concurrency = ConcurrencyName(policy.concurrency);
  v.next_run_at = e.runner->next_fire();
  v.last_run_at = e.runner->last_fire();
  v.skipped = e.runner->skipped();
  v.state = v.running ? "running" : (e.runner->enabled() ? "scheduled" : "disabled");
  return v;
}

TaskView Cron::TimingView(int position, const TimingEntry& e) const {
  const TimingPolicy& policy = e.def.timing();
  TaskView v;
  v.kind = TaskKind::kTiming;
  FillCommon(v, position, e.def.spec, e.runner->runs(), e.sample);
  v.time = policy.time;
  v.timeout = policy.run.timeout.count();
  v.state = TimingStateName(e.runner->state());
  return v;
}

std::optional<TaskView> Cron::View(const TaskId& id) const {
  auto pos = positions_.find(id);
  int position = pos == positions_.end() ? -1 : pos->second;
  if (auto it = jobs_.find(id); it != jobs_.end()) return JobView(position, it->second);
  if (auto it = timings_.find(id); it != timings_.end()) return TimingView(position, it->second);
  return std::nullopt;
}

std::vector<TaskView> Cron::List() {
  std::vector<TaskView> out;
  for (size_t i = 0; i < job_order_.size(); ++i) {
    auto it = jobs_.find(job_order_[i]);
    if (it != jobs_.end()) out.push_back(JobView(static_cast<int>(i), it->second));
  }
  for (size_t i = 0; i < timing_order_.size(); ++i) {
    auto it = timings_.find(timing_order_[i]);
    if (it != timings_.end()) out.push_back(TimingView(static_cast<int>(i), it->second));
  }
  return out;
}

TaskDetailView Cron::Detail(const TaskId& id, TaskView view) {
  TaskDetailView d;
  d.archives = records_.Archives(id);
  d.exceptions = records_.Exceptions(id);
  d.task = std::move(view);
  return d;
}

std::optional<TaskDetailView> Cron::Get(const std::string& name) {
  Sample();
  for (const auto* order : {&job_order_, &timing_order_}) {
    for (const TaskId& id : *order) {
      if (id.name != name) continue;
      if (auto view = View(id)) return Detail(id, std::move(*view));
    }
  }
  return std::nullopt;
}

}  // namespace asgard::runtime
