// File: cron.h
// `asgard cron`: runs the `cron:` list (JobRunner per job) and the `timing:` list (TimingRunner
// per one-shot timing) of app.yaml. Reload changes only what differs, by name.
//
// Thread-safety: loop thread only.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/event_loop.h"
#include "process/launcher.h"
#include "process/proc_sampler.h"
#include "runtime/job_runner.h"
#include "runtime/timing_runner.h"
#include "standalone/recent_records.h"
#include "standalone/role.h"

namespace asgard::standalone {

class Cron final : public StandaloneRole {
 public:
  Cron(EventLoop& loop, process::Launcher& launcher, std::unique_ptr<runtime::FiredStore> fired);
  ~Cron() override;

  void Apply(const config::Config& config) override;
  void StopAll(std::function<void()> done) override;
  std::vector<TaskView> List() override;
  std::optional<TaskDetailView> Get(const std::string& name) override;
  void OnClockJump() override;
  void Sample() override;
  // For the agent: its report queue also receives every record.
  void SetForward(process::RunObserver* next) { records_.SetForward(next); }
  // Runs the job now (its overlap policy applies); false if no such job.
  bool RunJobNow(const std::string& name);

 private:
  template <typename Config, typename Runner>
  struct Entry {
    Config config;
    std::unique_ptr<Runner> runner;
    process::ProcSample sample;
  };
  using JobEntry = Entry<config::JobConfig, runtime::JobRunner>;
  using TimingEntry = Entry<config::TimingConfig, runtime::TimingRunner>;

  template <typename Config, typename Runner>
  void ApplyList(process::TaskKind kind, const std::vector<Config>& list,
                 std::vector<std::string>& order,
                 std::map<std::string, Entry<Config, Runner>>& entries,
                 void (Cron::*add)(const Config&));
  void AddJob(const config::JobConfig& job);
  void AddTiming(const config::TimingConfig& timing);
  // Stops a runner and destroys it once its runs are gone.
  template <typename Runner>
  void Retire(std::unique_ptr<Runner> runner, std::function<void()> then);
  TaskView JobView(int id, const JobEntry& e) const;
  TaskView TimingView(int id, const TimingEntry& e) const;
  TaskDetailView Detail(TaskView view);

  EventLoop& loop_;
  process::Launcher& launcher_;
  std::unique_ptr<runtime::FiredStore> fired_;  // where fired timings are remembered
  RecentRecords records_;
  process::ProcSampler sampler_;
  std::vector<std::string> job_order_, timing_order_;
  std::map<std::string, JobEntry> jobs_;
  std::map<std::string, TimingEntry> timings_;
  size_t retiring_ = 0;  // runners stopping after a reload
  bool stopping_ = false;  // StopAll() was called: nothing starts any more
  std::vector<std::function<void()>> on_retired_;
};

}  // namespace asgard::standalone
