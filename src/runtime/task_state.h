// File: task_state.h
// Every word a task's observed state may be, as agents report it and the store and the API
// show it: a supervised process's states (process_state.h), then those of jobs and timings.
// One list, so that the wire's enum (rpc/task_enums), the store's check of its `state`
// column (store/schema_checks) and the runners agree. Header-only.
#pragma once

#include <string_view>

namespace asgard::runtime {

inline constexpr std::string_view kTaskStateNames[] = {
    // an app's process (process::StateName)
    "stopped", "starting", "running", "backoff", "stopping", "exited", "fatal",
    // jobs and timings
    "scheduled", "disabled", "pending", "done", "failed", "missed", "paused",
    // an agent's answer for a task it no longer holds
    "removed"};

// The master's words for what no agent reported: never seen (""), its agent offline.
inline constexpr std::string_view kStateNeverSeen = "";
inline constexpr std::string_view kStateUnknown = "unknown";

inline bool IsTaskStateName(std::string_view name) {
  for (std::string_view known : kTaskStateNames) {
    if (name == known) return true;
  }
  return false;
}

}  // namespace asgard::runtime
