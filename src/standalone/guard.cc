#include "standalone/guard.h"

#include <algorithm>
#include <unordered_set>

#include "spdlog/spdlog.h"

namespace asgard::standalone {

Guard::Guard(EventLoop& loop, process::Launcher& launcher) : loop_(loop), launcher_(launcher) {}

Guard::~Guard() = default;

void Guard::Add(const config::AppConfig& app) {
  Entry& entry = apps_[app.spec.name];
  entry.config = app;
  entry.supervisor = std::make_unique<process::Supervisor>(app.spec, app.restart, launcher_,
                                                           loop_, records_);
  entry.supervisor->Start();
}

// Stops the app's process; the Supervisor lives on (in retiring_) until it has stopped, so
// its archive record is written and no process is left behind.
void Guard::Remove(const std::string& name, std::function<void()> then) {
  auto it = apps_.find(name);
  if (it == apps_.end()) return;
  process::Supervisor* raw = it->second.supervisor.get();
  retiring_.push_back(std::move(it->second.supervisor));
  apps_.erase(it);
  raw->StopThen([this, raw, then = std::move(then)] {
    // Destroy later: we are inside the Supervisor's own call stack.
    loop_.Post([this, raw] {
      std::erase_if(retiring_, [raw](const auto& s) { return s.get() == raw; });
    });
    if (then) then();
  });
}

void Guard::Apply(const config::Config& config) {
  std::vector<std::string> next_order;
  for (const auto& app : config.apps) next_order.push_back(app.spec.name);
  std::unordered_set<std::string> keep(next_order.begin(), next_order.end());
  for (const auto& name : order_) {
    if (!keep.count(name)) {
      spdlog::info("app {}: removed from the configuration, stopping it", name);
      Remove(name);
      records_.Forget(process::TaskKind::kApp, name);
    }
  }
  for (const auto& app : config.apps) {
    auto it = apps_.find(app.spec.name);
    if (it == apps_.end()) {
      Add(app);
      continue;
    }
    if (it->second.config == app) continue;
    spdlog::info("app {}: definition changed, restarting it", app.spec.name);
    Remove(app.spec.name, [this, app] {
      if (!stopping_) Add(app);  // not when the daemon began stopping meanwhile
    });
  }
  order_ = std::move(next_order);
}

bool Guard::Restart(const std::string& name) {
  auto it = apps_.find(name);
  if (it == apps_.end()) return false;
  it->second.supervisor->Restart();
  return true;
}

void Guard::StopAll(std::function<void()> done) {
  stopping_ = true;
  auto remaining = std::make_shared<size_t>(apps_.size() + retiring_.size());
  auto one_done = [remaining, done] {
    if (--*remaining == 0) done();
  };
  if (*remaining == 0) return done();
  for (auto& [name, entry] : apps_) entry.supervisor->StopThen(one_done);
  for (auto& s : retiring_) s->StopThen(one_done);
}

void Guard::Sample() {
  for (auto& [name, entry] : apps_) {
    pid_t pid = entry.supervisor->pid();
    if (pid == 0) {
      entry.sample = {};
      continue;
    }
    if (auto s = sampler_.Sample(pid)) entry.sample = *s;
  }
}

TaskView Guard::View(int id, const Entry& entry) const {
  const auto& sup = *entry.supervisor;
  const auto& spec = sup.spec();
  TaskView v;
  v.id = id;
  v.kind = process::TaskKind::kApp;
  FillFromSpec(spec, v);
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

std::vector<TaskView> Guard::List() {
  std::vector<TaskView> out;
  for (size_t i = 0; i < order_.size(); ++i) {
    auto it = apps_.find(order_[i]);
    if (it != apps_.end()) out.push_back(View(static_cast<int>(i), it->second));
  }
  return out;
}

std::optional<TaskDetailView> Guard::Get(const std::string& name) {
  auto pos = std::find(order_.begin(), order_.end(), name);
  auto it = apps_.find(name);
  if (pos == order_.end() || it == apps_.end()) return std::nullopt;
  if (pid_t pid = it->second.supervisor->pid()) {
    if (auto s = sampler_.Sample(pid)) it->second.sample = *s;
  }
  TaskDetailView d;
  d.task = View(static_cast<int>(pos - order_.begin()), it->second);
  d.archives = records_.Archives(process::TaskKind::kApp, name);
  d.exceptions = records_.Exceptions(process::TaskKind::kApp, name);
  return d;
}

}  // namespace asgard::standalone
