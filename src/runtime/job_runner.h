// File: job_runner.h
// A cron job: fires at each time of its CronSchedule (an absolute wall-clock timer re-armed
// after each fire, and recomputed when the clock jumps), applies the overlap policy, and hands
// each run to a RunSet (timeout, retries, archives).
//
//   JobRunner job(definition, launcher, loop, observer);
//   job.Enable();      // arms the next fire
//   job.RunNow();      // a manual run, same overlap policy
//   job.StopThen(cb);  // no more fires; running runs stopped; cb when none is left
//
// Thread-safety: loop thread only.
#pragma once

#include <memory>
#include <optional>

#include "common/timer_service.h"
#include "process/launcher.h"
#include "process/observer.h"
#include "runtime/concurrency.h"
#include "sched/cron_schedule.h"
#include "runtime/run_set.h"

namespace asgard::runtime {

struct JobDefinition {
  process::ProcessSpec spec;
  sched::CronSchedule schedule;
  RunPolicy policy;
  Concurrency concurrency = Concurrency::kForbid;
  int max_concurrent = kDefaultMaxConcurrent;  // runs alive at once (concurrency.h)
};

class JobRunner {
 public:
  JobRunner(JobDefinition def, process::Launcher& launcher, TimerService& timers,
            process::RunObserver& observer);
  ~JobRunner();

  void Enable();
  void Disable();  // no more fires; running runs go on
  void RunNow();
  void StopThen(std::function<void()> done);
  // Re-arms the next fire from the current time (after a wall-clock jump).
  void Rearm();

  const JobDefinition& definition() const { return def_; }
  bool enabled() const { return enabled_; }
  std::optional<WallTime> next_fire() const { return next_fire_; }
  std::optional<WallTime> last_fire() const { return last_fire_; }
  int skipped() const { return skipped_; }
  const RunSet& runs() const { return *runs_; }

 private:
  void Arm(WallTime after);
  void OnFire(WallTime scheduled);
  void Launch();
  void Skip(const std::string& why);

  JobDefinition def_;
  TimerService& timers_;
  process::RunObserver& observer_;
  std::unique_ptr<RunSet> runs_;
  bool enabled_ = false;
  TimerService::TimerId timer_ = 0;
  std::optional<WallTime> next_fire_;
  std::optional<WallTime> last_fire_;
  int skipped_ = 0;
};

}  // namespace asgard::runtime
