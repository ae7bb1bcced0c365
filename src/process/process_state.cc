#include "process/process_state.h"

namespace asgard::process {

const char* StateName(ProcessState state) {
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

const char* DesiredName(Desired desired) { return desired == Desired::kRun ? "run" : "pause"; }

}  // namespace asgard::process
