// File: posix_launcher.h
// The real Launcher: spawns runs (spawn.h), captures their stdout/stderr through pipes into
// rotating files (log_sink.h), keeps their descendants contained (containment.h), and reaps
// through a signalfd for SIGCHLD on the event loop: no thread per process and no polling.
//
// SIGCHLD must be blocked in every thread (the daemons block it in main() before any thread
// starts; Create() blocks it in the calling thread too).
//
// Thread-safety: loop thread only.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "common/event_loop.h"
#include "common/unique_fd.h"
#include "process/containment.h"
#include "process/fs_identity.h"
#include "process/launcher.h"
#include "process/log_sink.h"
#include "process/output_health.h"
#include "process/spawn.h"

namespace asgard::process {

class PosixLauncher final : public Launcher {
 public:
  // `tag` names the daemon's cgroup (see containment.h).
  static absl::StatusOr<std::unique_ptr<PosixLauncher>> Create(EventLoop& loop,
                                                               const std::string& tag);
  ~PosixLauncher() override;

  absl::StatusOr<RunInfo> Spawn(const ProcessSpec& spec, ExitCallback on_exit) override;
  void Signal(const std::string& run_id, int sig) override;

  // Runs whose main process has not been reaped yet.
  size_t live_runs() const { return runs_.size(); }
  // Pid of a live run's main process, 0 if unknown.
  pid_t PidOf(const std::string& run_id) const;
  // How the last run reached its cgroup (spawn.h); empty before the first run.
  std::optional<SpawnPath> spawn_path() const { return spawn_path_; }
  bool has_cgroups() const { return containment_->has_cgroups(); }

 private:
  struct Run {
    RunInfo info;
    ExitCallback on_exit;
  };
  // One pipe from a run into its file; lives until EOF (descendants may hold the write end).
  struct Pump {
    UniqueFd fd;
    std::shared_ptr<LogSink> sink;
    StreamDrops drops;  // what could not be written, and what was logged about it
  };

  PosixLauncher(EventLoop& loop, UniqueFd sigchld, std::unique_ptr<Containment> containment);
  absl::StatusOr<UniqueFd> CaptureInto(const std::string& path, const ProcessSpec& spec,
                                       std::shared_ptr<const FsIdentity> as_user,
                                       std::shared_ptr<OutputHealth> health);
  void AddPump(UniqueFd read_end, std::shared_ptr<LogSink> sink, StreamDrops drops);
  void OnPumpReadable(int fd);
  void OnSigchld();
  // Ends the run of `pid` (its owner is told); returns its run id when what it may have left
  // behind can only be found by a /proc scan (no cgroup).
  std::optional<std::string> OnReaped(pid_t pid, int wait_status);
  void NoteSpawnPath(const Spawned& spawned);

  EventLoop& loop_;
  UniqueFd sigchld_;
  UniqueFd dev_null_;
  std::unique_ptr<Containment> containment_;
  std::unordered_map<pid_t, Run> runs_;             // by main pid
  std::unordered_map<std::string, pid_t> by_run_;   // run id -> main pid
  std::unordered_map<int, Pump> pumps_;             // by read fd
  bool clone_into_cgroup_ = true;  // until the kernel says it cannot
  std::optional<SpawnPath> spawn_path_;
};

}  // namespace asgard::process
