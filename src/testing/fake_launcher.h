// File: fake_launcher.h
// A Launcher that creates no process: tests decide when a run exits (Exit) and whether a spawn
// fails (FailNextSpawns), and read what was signalled.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "process/launcher.h"

namespace asgard::testing {

class FakeLauncher final : public process::Launcher {
 public:
  absl::StatusOr<process::RunInfo> Spawn(const process::ProcessSpec& spec,
                                         ExitCallback on_exit) override {
    ++spawns_;
    last_user_ = spec.user;
    specs_.push_back(spec);
    if (fail_next_ > 0) {
      --fail_next_;
      return absl::NotFoundError("program '" + spec.program + "' not found on PATH");
    }
    process::RunInfo run{"run-" + std::to_string(spawns_), next_pid_++, process::WallClock::now(),
                         std::make_shared<process::OutputHealth>()};
    outputs_[run.run_id] = run.output;
    live_[run.run_id] = Live{run.pid, std::move(on_exit)};
    last_run_ = run.run_id;
    return run;
  }

  void Signal(const std::string& run_id, int sig) override {
    signals_.push_back({run_id, sig});
  }

  // The main process of `run_id` (default: the last spawned) exits.
  void Exit(int code, std::string run_id = "") { Finish(run_id, false, code); }
  void Kill(int sig, std::string run_id = "") { Finish(run_id, true, sig); }

  void FailNextSpawns(int n) { fail_next_ = n; }
  int spawns() const { return spawns_; }
  bool alive(const std::string& run_id) const { return live_.count(run_id) > 0; }
  const std::string& last_run() const { return last_run_; }
  const std::string& last_user() const { return last_user_; }  // ProcessSpec::user of the last spawn
  const std::vector<std::pair<std::string, int>>& signals() const { return signals_; }
  const std::vector<process::ProcessSpec>& specs() const { return specs_; }  // every spawn's
  // The output of `run_id` (default: the last spawned), to play a full disk with StreamDrops.
  std::shared_ptr<process::OutputHealth> output(std::string run_id = "") {
    return outputs_[run_id.empty() ? last_run_ : run_id];
  }

 private:
  struct Live {
    pid_t pid;
    ExitCallback on_exit;
  };

  void Finish(std::string run_id, bool signalled, int value) {
    if (run_id.empty()) run_id = last_run_;
    auto it = live_.find(run_id);
    if (it == live_.end()) return;
    process::ExitInfo exit;
    exit.pid = it->second.pid;
    exit.signalled = signalled;
    exit.code = signalled ? 0 : value;
    exit.signal = signalled ? value : 0;
    exit.end = process::WallClock::now();
    auto cb = std::move(it->second.on_exit);
    live_.erase(it);
    cb(exit);
  }

  int spawns_ = 0;
  std::string last_user_;
  std::vector<process::ProcessSpec> specs_;
  int fail_next_ = 0;
  pid_t next_pid_ = 1000;
  std::string last_run_;
  std::map<std::string, Live> live_;
  std::vector<std::pair<std::string, int>> signals_;
  std::map<std::string, std::shared_ptr<process::OutputHealth>> outputs_;
};

}  // namespace asgard::testing
