#include "runtime/guard.h"

#include <algorithm>
#include <unordered_set>

#include "spdlog/spdlog.h"

namespace asgard::runtime {

Guard::Guard(TimerService& timers, process::Launcher& launcher) : timers_(timers), launcher_(launcher) {}

Guard::~Guard() = default;

void Guard::Add(const TaskDef& app) {
  Entry& entry = apps_[app.id];
  entry.def = app;
  entry.run.tap = records_.Tap(app.id);
  entry.run.supervisor = std::make_unique<process::Supervisor>(app.spec, app.restart(), launcher_,
                                                               timers_, *entry.run.tap);
  entry.run.supervisor->Start();
}

// Stops the app's process; the Supervisor lives on (in retiring_) until it has stopped, so
// its archive record is written and no process is left behind.
void Guard::Remove(const TaskId& id, std::function<void()> then) {
  auto it = apps_.find(id);
  if (it == apps_.end()) return;
  process::Supervisor* raw = it->second.run.supervisor.get();
  retiring_.push_back(std::move(it->second.run));
  apps_.erase(it);
  raw->StopThen([this, raw, then = std::move(then)] {
    // Destroy later: we are inside the Supervisor's own call stack.
    // A zero delay: the next turn of the loop.
    timers_.RunAfter(Duration::zero(), [this, raw] {
      std::erase_if(retiring_, [raw](const Running& r) { return r.supervisor.get() == raw; });
    });
    if (then) then();
  });
}

void Guard::Apply(const TaskSet& tasks) {
  std::vector<const TaskDef*> apps = tasks.OfKind(TaskKind::kApp);
  std::vector<TaskId> next_order;
  next_order.reserve(apps.size());
  for (const TaskDef* app : apps) next_order.push_back(app->id);
  for (const TaskId& id : order_) {
    if (tasks.Find(id)) continue;
    spdlog::info("app {}: removed from the configuration, stopping it", id.name);
    Remove(id);
    records_.Forget(id);
  }
  for (const TaskDef* app : apps) {
    auto it = apps_.find(app->id);
    if (it == apps_.end()) {
      Add(*app);
      continue;
    }
    if (it->second.def == *app) continue;
    spdlog::info("app {}: definition changed, restarting it", app->id.name);
    Remove(app->id, [this, def = *app] {
      // Not when the daemon began stopping meanwhile, nor when a later Apply removed the app
      // or already started it again.
      if (!stopping_ && positions_.count(def.id) && !apps_.count(def.id)) Add(def);
    });
  }
  order_ = std::move(next_order);
  positions_.clear();
  for (size_t i = 0; i < order_.size(); ++i) positions_.emplace(order_[i], static_cast<int>(i));
}

bool Guard::Restart(const TaskId& id) {
  auto it = apps_.find(id);
  if (it == apps_.end()) return false;
  it->second.run.supervisor->Restart();
  return true;
}

void Guard::StopAll(std::function<void()> done) {
  stopping_ = true;
  auto remaining = std::make_shared<size_t>(apps_.size() + retiring_.size());
  auto one_done = [remaining, done] {
    if (--*remaining == 0) done();
  };
  if (*remaining == 0) return done();
  for (auto& [id, entry] : apps_) entry.run.supervisor->StopThen(one_done);
  for (auto& r : retiring_) r.supervisor->StopThen(one_done);
}

void Guard::Sample() {
  for (auto& [id, entry] : apps_) {
    pid_t pid = entry.run.supervisor->pid();
    if (pid == 0) {
      entry.sample = {};
      continue;
    }
    if (auto s = sampler_.Sample(pid)) entry.sample = *s;
  }
}

TaskView Guard::View(int position, const Entry& entry) const {
  const auto& sup = *entry.run.supervisor;
  TaskView v;
  v.id = position;
  v.kind = TaskKind::kApp;
  FillFromSpec(sup.spec(), v);
  v.state = process::StateName(sup.state());
  v.desired = process::DesiredName(sup.desired());
  v.pid = sup.pid();
  v.running = v.pid ? 1 : 0;
  if (v.pid) v.started_at = sup.started_at();
  v.restarts = sup.restarts();
  v.last_exit = sup.last_exit();
  v.auto_restart = sup.policy().auto_restart;
  v.output_dropped_bytes = sup.output_dropped_bytes();
  FillFromSample(entry.sample, v);
  return v;
}

std::optional<TaskView> Guard::View(const TaskId& id) const {
  auto it = apps_.find(id);
  if (it == apps_.end()) return std::nullopt;
  auto pos = positions_.find(id);
  return View(pos == positions_.end() ? -1 : pos->second, it->second);
}

std::vector<TaskView> Guard::List() {
  std::vector<TaskView> out;
  for (size_t i = 0; i < order_.size(); ++i) {
    auto it = apps_.find(order_[i]);
    if (it != apps_.end()) out.push_back(View(static_cast<int>(i), it->second));
  }
  return out;
}

std::optional<TaskDetailView> Guard::Detail(size_t position) {
  auto it = apps_.find(order_[position]);
  if (it == apps_.end()) return std::nullopt;
  if (pid_t pid = it->second.run.supervisor->pid()) {
    if (auto s = sampler_.Sample(pid)) it->second.sample = *s;
  }
  TaskDetailView d;
  d.task = View(static_cast<int>(position), it->second);
  d.archives = records_.Archives(it->first);
  d.exceptions = records_.Exceptions(it->first);
  return d;
}

std::optional<TaskDetailView> Guard::Get(const std::string& name) {
  for (size_t i = 0; i < order_.size(); ++i) {
    if (order_[i].name == name) return Detail(i);
  }
  return std::nullopt;
}

}  // namespace asgard::runtime
