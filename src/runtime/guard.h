// File: guard.h
// `asgard guard`, and the apps of an agent: one Supervisor per app of a TaskSet. Apply() changes
// only what differs, by TaskId: an app whose definition changed is stopped and started again
// with the new one, a removed app is stopped, a new app started, an unchanged app left alone.
//
//   Guard guard(loop, launcher);
//   guard.Apply(tasks);         // at start, and again on every reload
//   guard.StopAll([&] { loop.Stop(); });
//
// Thread-safety: loop thread only.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/timer_service.h"
#include "process/launcher.h"
#include "process/proc_sampler.h"
#include "process/supervisor.h"
#include "runtime/recent_records.h"
#include "runtime/task_role.h"

namespace asgard::runtime {

class Guard final : public TaskRole {
 public:
  Guard(TimerService& timers, process::Launcher& launcher);
  ~Guard() override;

  void Apply(const TaskSet& tasks) override;
  void StopAll(std::function<void()> done) override;
  std::vector<TaskView> List() override;
  std::optional<TaskDetailView> Get(const std::string& name) override;
  void Sample() override;
  // The view of one app; nullopt if it does not run here.
  std::optional<TaskView> View(const TaskId& id) const;
  // For the agent: its report queue also receives every record.
  void SetForward(TaskObserver* next) { records_.SetForward(next); }
  // Stops the app's process and starts it again; false if no such app.
  bool Restart(const TaskId& id);

 private:
  // A Supervisor and the observer it reports to (destroyed after it).
  struct Running {
    std::unique_ptr<process::RunObserver> tap;
    std::unique_ptr<process::Supervisor> supervisor;
  };
  struct Entry {
    TaskDef def;
    Running run;
    process::ProcSample sample;
  };

  void Add(const TaskDef& app);
  void Remove(const TaskId& id, std::function<void()> then = {});
  TaskView View(int position, const Entry& entry) const;
  std::optional<TaskDetailView> Detail(size_t position);

  TimerService& timers_;
  process::Launcher& launcher_;
  RecentRecords records_;
  process::ProcSampler sampler_;
  std::vector<TaskId> order_;             // in the TaskSet's order
  std::map<TaskId, int> positions_;       // in order_
  std::map<TaskId, Entry> apps_;
  std::vector<Running> retiring_;         // stopping after a reload
  bool stopping_ = false;  // StopAll() was called: nothing starts any more
};

}  // namespace asgard::runtime
