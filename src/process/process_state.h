// File: process_state.h
// Observed states of a supervised process (as supervisord names them) and the desired state
// the user asked for, kept apart: the Supervisor's only job is to close the gap. Header-only,
// so that the store can check the names it holds without linking the process runtime.
#pragma once

namespace asgard::process {

enum class ProcessState { kStopped, kStarting, kRunning, kBackoff, kStopping, kExited, kFatal };
enum class Desired { kRun, kPause };

inline constexpr ProcessState kAllProcessStates[] = {
    ProcessState::kStopped,  ProcessState::kStarting, ProcessState::kRunning, ProcessState::kBackoff,
    ProcessState::kStopping, ProcessState::kExited,   ProcessState::kFatal};

// "stopped", "starting", "running", "backoff", "stopping", "exited", "fatal"
constexpr const char* StateName(ProcessState state) {
  switch (state) {
    case ProcessState::kStopped:
      return "stopped";
    case ProcessState::kStarting:
      return "starting";
    case ProcessState::kRunning:
      return "running";
    case ProcessState::kBackoff:
      return "backoff";
    case ProcessState::kStopping:
      return "stopping";
    case ProcessState::kExited:
      return "exited";
    case ProcessState::kFatal:
      return "fatal";
  }
  return "unknown";
}

// "run", "pause"
constexpr const char* DesiredName(Desired desired) {
  return desired == Desired::kRun ? "run" : "pause";
}

// Whether a process of the run may be alive in this state.
inline bool HasProcess(ProcessState s) {
  return s == ProcessState::kStarting || s == ProcessState::kRunning ||
         s == ProcessState::kStopping;
}

}  // namespace asgard::process
