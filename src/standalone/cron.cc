#include "standalone/cron.h"

#include <algorithm>
#include <unordered_set>

#include "spdlog/spdlog.h"

namespace asgard::standalone {
namespace {

template <typename List>
std::vector<std::string> Names(const List& list) {
  std::vector<std::string> out;
  for (const auto& item : list) out.push_back(item.spec.name);
  return out;
}

// Names of the new list, for O(1) membership (reloads of 100,000 entries stay linear).
std::unordered_set<std::string> NameSet(const std::vector<std::string>& names) {
  return std::unordered_set<std::string>(names.begin(), names.end());
}

runtime::RunPolicy Policy(std::chrono::seconds timeout, int retries, std::chrono::seconds delay) {
  runtime::RunPolicy p;
  p.timeout = timeout;
  p.retries = retries;
  p.retry_delay = delay;
  return p;
}

void FillCommon(TaskView& v, int id, const process::ProcessSpec& spec,
                const runtime::RunSet& runs, const process::ProcSample& sample) {
  v.id = id;
  FillFromSpec(spec, v);
  auto pids = runs.pids();
  v.running = static_cast<int>(pids.size());
  v.pid = pids.empty() ? 0 : pids.front();
  v.last_exit = runs.last();
  v.output_dropped_bytes = runs.output_dropped_bytes();
  FillFromSample(sample, v);
}

}  // namespace

Cron::Cron(EventLoop& loop, process::Launcher& launcher,
           std::unique_ptr<runtime::FiredStore> fired)
    : loop_(loop), launcher_(launcher), fired_(std::move(fired)) {}

Cron::~Cron() = default;

template <typename Runner>
void Cron::Retire(std::unique_ptr<Runner> runner, std::function<void()> then) {
  if (!runner) {
    if (then) then();
    return;
  }
  ++retiring_;
  Runner* raw = runner.release();
  raw->StopThen([this, raw, then = std::move(then)] {
    // Destroy later: we are inside the runner's own call stack.
    loop_.Post([this, raw] {
      std::unique_ptr<Runner> owned(raw);
      owned.reset();
      if (--retiring_ == 0) {
        auto callbacks = std::move(on_retired_);
        on_retired_.clear();
        for (auto& fn : callbacks) fn();
      }
    });
    if (then) then();
  });
}

void Cron::AddJob(const config::JobConfig& job) {
  auto schedule = sched::CronSchedule::Parse(job.schedule);
  if (!schedule.ok()) {  // validated at load; a zone file removed since would land here
    spdlog::error("job {}: {}", job.spec.name, schedule.status().ToString());
    return;
  }
  runtime::JobDefinition def{job.spec, *schedule, Policy(job.timeout, job.retries, job.retry_delay),
                           job.concurrency, job.max_concurrent};
  JobEntry& entry = jobs_[job.spec.name];
  entry.config = job;
  entry.runner = std::make_unique<runtime::JobRunner>(std::move(def), launcher_, loop_, records_);
  entry.runner->Enable();
}

void Cron::AddTiming(const config::TimingConfig& timing) {
  runtime::TimingDefinition def;
  def.spec = timing.spec;
  def.time = timing.time;
  def.policy = Policy(timing.timeout, timing.retries, timing.retry_delay);
  def.grace = timing.grace;
  TimingEntry& entry = timings_[timing.spec.name];
  entry.config = timing;
  entry.runner =
      std::make_unique<runtime::TimingRunner>(std::move(def), launcher_, loop_, records_, *fired_);
  entry.runner->Enable();
}

// Applies one list (jobs or timings): removed names stop, changed ones restart with their new
// definition, new ones start, unchanged ones are left alone.
template <typename Config, typename Runner>
void Cron::ApplyList(process::TaskKind kind, const std::vector<Config>& list,
                     std::vector<std::string>& order,
                     std::map<std::string, Entry<Config, Runner>>& entries,
                     void (Cron::*add)(const Config&)) {
  const char* what = process::TaskKindName(kind);
  auto next = Names(list);
  auto keep = NameSet(next);
  for (const auto& name : order) {
    if (keep.count(name)) continue;
    spdlog::info("{} {}: removed from the configuration", what, name);
    Retire(std::move(entries[name].runner), {});
    entries.erase(name);
    records_.Forget(kind, name);
  }
  for (const auto& item : list) {
    auto it = entries.find(item.spec.name);
    if (it == entries.end()) {
      (this->*add)(item);
      continue;
    }
    if (it->second.config == item) continue;
    spdlog::info("{} {}: definition changed", what, item.spec.name);
    auto old = std::move(it->second.runner);
    entries.erase(it);
    // Not once the daemon began stopping: a timing would be marked fired, then killed.
    Retire(std::move(old), [this, item, add] {
      if (!stopping_) (this->*add)(item);
    });
  }
  order = std::move(next);
}

void Cron::Apply(const config::Config& config) {
  ApplyList(process::TaskKind::kJob, config.jobs, job_order_, jobs_, &Cron::AddJob);
  ApplyList(process::TaskKind::kTiming, config.timings, timing_order_, timings_,
            &Cron::AddTiming);
}

bool Cron::RunJobNow(const std::string& name) {
  auto it = jobs_.find(name);
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
  for (auto& [name, e] : jobs_) e.runner->StopThen(one_done);
  for (auto& [name, e] : timings_) e.runner->StopThen(one_done);
  if (retiring_ > 0) {
    on_retired_.push_back(one_done);
  } else {
    one_done();
  }
}

void Cron::OnClockJump() {
  spdlog::warn("the wall clock jumped; recomputing fire times");
  for (auto& [name, e] : jobs_) e.runner->Rearm();
  for (auto& [name, e] : timings_) e.runner->Rearm();
}

void Cron::Sample() {
  auto sample = [this](auto& entries) {
    for (auto& [name, e] : entries) {
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

TaskView Cron::JobView(int id, const JobEntry& e) const {
  TaskView v;
  v.kind = process::TaskKind::kJob;
  FillCommon(v, id, e.config.spec, e.runner->runs(), e.sample);
  v.spec = e.config.schedule;
  v.timeout = e.config.timeout.count();
  v.concurrency = runtime::ConcurrencyName(e.config.concurrency);
  v.next_run_at = e.runner->next_fire();
  v.last_run_at = e.runner->last_fire();
  v.skipped = e.runner->skipped();
  v.state = v.running ? "running" : (e.runner->enabled() ? "scheduled" : "disabled");
  return v;
}

TaskView Cron::TimingView(int id, const TimingEntry& e) const {
  TaskView v;
  v.kind = process::TaskKind::kTiming;
  FillCommon(v, id, e.config.spec, e.runner->runs(), e.sample);
  v.time = e.config.time;
  v.timeout = e.config.timeout.count();
  v.state = runtime::TimingStateName(e.runner->state());
  return v;
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

TaskDetailView Cron::Detail(TaskView view) {
  TaskDetailView d;
  d.archives = records_.Archives(view.kind, view.name);
  d.exceptions = records_.Exceptions(view.kind, view.name);
  d.task = std::move(view);
  return d;
}

std::optional<TaskDetailView> Cron::Get(const std::string& name) {
  Sample();
  for (const auto& view : List()) {
    if (view.name == name) return Detail(view);
  }
  return std::nullopt;
}

}  // namespace asgard::standalone
