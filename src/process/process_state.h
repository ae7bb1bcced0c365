// File: process_state.h
// Observed states of a supervised process (as supervisord names them) and the desired state
// the user asked for, kept apart: the Supervisor's only job is to close the gap.
#pragma once

namespace asgard::process {

enum class ProcessState { kStopped, kStarting, kRunning, kBackoff, kStopping, kExited, kFatal };
enum class Desired { kRun, kPause };

// "stopped", "starting", "running", "backoff", "stopping", "exited", "fatal"
const char* StateName(ProcessState state);
// "run", "pause"
const char* DesiredName(Desired desired);

// Whether a process of the run may be alive in this state.
inline bool HasProcess(ProcessState s) {
  return s == ProcessState::kStarting || s == ProcessState::kRunning ||
         s == ProcessState::kStopping;
}

}  // namespace asgard::process
