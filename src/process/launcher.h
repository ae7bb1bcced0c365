// File: launcher.h
// The seam between the state machines (Supervisor, job and timing runners) and the operating
// system: start a run, signal it, learn when its main process has exited. PosixLauncher is the
// real one; testing/fake_launcher.h drives every transition without creating processes.
//
//   auto run = launcher.Spawn(spec, [this](const ExitInfo& e) { OnExit(e); });
//   if (!run.ok()) ReportStartFailure(run.status());
//   launcher.Signal(run->run_id, SIGTERM);
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "process/output_health.h"
#include "process/process_spec.h"
#include "process/records.h"

namespace asgard::process {

struct RunInfo {
  std::string run_id;  // uuid; the run's ASGARD_RUN_ID
  pid_t pid = 0;
  WallClock::time_point begin;
  // Whether the run's output reaches its files (output_health.h); null when the launcher
  // does not capture output (fakes).
  std::shared_ptr<OutputHealth> output;
};

class Launcher {
 public:
  using ExitCallback = std::function<void(const ExitInfo&)>;
  virtual ~Launcher() = default;

  // Starts `spec` in its own session with stdin /dev/null and stdout/stderr captured into the
  // spec's files. `on_exit` runs once, on the loop thread, after the main process was reaped;
  // by then whatever else of the run was still alive has been sent SIGKILL. Errors (missing
  // program, bad dir, unknown user, exec failure) come back here, never through on_exit.
  virtual absl::StatusOr<RunInfo> Spawn(const ProcessSpec& spec, ExitCallback on_exit) = 0;

  // Sends `sig` to the run's process group and to its descendants that left the group.
  // Unknown or finished runs are ignored.
  virtual void Signal(const std::string& run_id, int sig) = 0;
};

}  // namespace asgard::process
