// File: guard.h
// `asgard guard`: supervises the `app:` list of app.yaml with one Supervisor per app.
// On reload an app whose definition changed is restarted with the new one, a removed app is
// stopped, a new app started, and an unchanged app left alone.
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
#include "process/supervisor.h"
#include "standalone/recent_records.h"
#include "standalone/role.h"

namespace asgard::standalone {

class Guard final : public StandaloneRole {
 public:
  Guard(EventLoop& loop, process::Launcher& launcher);
  ~Guard() override;

  void Apply(const config::Config& config) override;
  void StopAll(std::function<void()> done) override;
  std::vector<TaskView> List() override;
  std::optional<TaskDetailView> Get(const std::string& name) override;
  void Sample() override;
  // For the agent: its report queue also receives every record.
  void SetForward(process::RunObserver* next) { records_.SetForward(next); }
  // Stops the app's process and starts it again; false if no such app.
  bool Restart(const std::string& name);

 private:
  struct Entry {
    config::AppConfig config;
    std::unique_ptr<process::Supervisor> supervisor;
    process::ProcSample sample;
  };

  void Add(const config::AppConfig& app);
  void Remove(const std::string& name, std::function<void()> then = {});
  TaskView View(int id, const Entry& entry) const;

  EventLoop& loop_;
  process::Launcher& launcher_;
  RecentRecords records_;
  process::ProcSampler sampler_;
  std::vector<std::string> order_;                 // names in app.yaml order
  std::map<std::string, Entry> apps_;              // by name
  std::vector<std::unique_ptr<process::Supervisor>> retiring_;  // stopping after a reload
  bool stopping_ = false;  // StopAll() was called: nothing starts any more
};

}  // namespace asgard::standalone
