// File: cron.h
// `asgard cron`, and the jobs and timings of an agent: a JobRunner per job and a TimingRunner
// per one-shot timing of a TaskSet. Apply() changes only what differs, by TaskId: a changed job
// or timing is stopped and started again with its new definition (a changed cron spec is a new
// schedule), a removed one stopped, a new one started, an unchanged one left alone.
//
//   Cron cron(loop, launcher, std::move(fired));
//   cron.Apply(tasks);
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
#include "runtime/job_runner.h"
#include "runtime/recent_records.h"
#include "runtime/task_role.h"
#include "runtime/timing_runner.h"

namespace asgard::runtime {

class Cron final : public TaskRole {
 public:
  Cron(TimerService& timers, process::Launcher& launcher, std::unique_ptr<FiredStore> fired);
  ~Cron() override;

  void Apply(const TaskSet& tasks) override;
  void StopAll(std::function<void()> done) override;
  std::vector<TaskView> List() override;
  std::optional<TaskDetailView> Get(const std::string& name) override;
  void OnClockJump() override;
  void Sample() override;
  // The view of one job or timing; nullopt if it does not run here.
  std::optional<TaskView> View(const TaskId& id) const;
  // For the agent: its report queue also receives every record.
  void SetForward(TaskObserver* next) { records_.SetForward(next); }
  // Runs the job now (its overlap policy applies); false if no such job.
  bool RunJobNow(const TaskId& id);

  // The key a timing is remembered by in the FiredStore: its name for app.yaml's timings,
  // "timing#<id>" for a master's (renaming a timing that already ran must not run it again).
  static std::string FiredKey(const TaskId& id);

 private:
  template <typename Runner>
  struct Entry {
    TaskDef def;
    std::unique_ptr<process::RunObserver> tap;  // what the runner reports to; outlives it
    std::unique_ptr<Runner> runner;
    process::ProcSample sample;
  };
  using JobEntry = Entry<JobRunner>;
  using TimingEntry = Entry<TimingRunner>;

  template <typename Runner>
  void ApplyKind(TaskKind kind, const TaskSet& tasks, std::vector<TaskId>& order,
                 std::map<TaskId, Entry<Runner>>& entries, void (Cron::*add)(const TaskDef&));
  void AddJob(const TaskDef& job);
  void AddTiming(const TaskDef& timing);
  // Stops a runner and destroys it (and its tap) once its runs are gone.
  template <typename Runner>
  void Retire(Entry<Runner>&& entry, std::function<void()> then);
  TaskView JobView(int position, const JobEntry& e) const;
  TaskView TimingView(int position, const TimingEntry& e) const;
  TaskDetailView Detail(const TaskId& id, TaskView view);

  TimerService& timers_;
  process::Launcher& launcher_;
  std::unique_ptr<FiredStore> fired_;  // where fired timings are remembered
  RecentRecords records_;
  process::ProcSampler sampler_;
  std::vector<TaskId> job_order_, timing_order_;
  std::map<TaskId, int> positions_;  // in job_order_ or timing_order_
  std::map<TaskId, JobEntry> jobs_;
  std::map<TaskId, TimingEntry> timings_;
  size_t retiring_ = 0;  // runners stopping after a reload
  bool stopping_ = false;  // StopAll() was called: nothing starts any more
  std::vector<std::function<void()>> on_retired_;
};

}  // namespace asgard::runtime
