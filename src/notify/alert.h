// File: alert.h
// What a failure alert says, and which reports are failures worth one (SPEC 9): a run that
// exited non-zero, was killed by a signal or ended unknown, a start failure, the restart limit,
// a timeout, a missed timing, an agent gone offline. A stop the user asked for (status -2) is
// not one, nor is a job fire skipped because the last run is still going.
//
//   if (auto reason = ArchiveFailure(a.status, a.signal)) notifier.Post(TaskAlert(...));
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"

namespace asgard::notify {

struct Alert {
  std::string kind;  // "app", "job", "timing" or "agent"
  int64_t id = 0;    // the task's id, or the agent's
  std::string run_uuid;  // the run it is about; "" when none (a start failure, an agent)
  std::string reason;    // "exited with status 1", "restart reach max limited", ...
  absl::Time time;
  // Filled from the store just before sending (names change; ids do not).
  std::string name;     // task name, or the agent's alias
  std::string agent;    // "alias (ip:port)"
  std::string command;  // program and args
  std::string dir;

  // Alerts are throttled per key.
  std::string Key() const;
};

// What goes out: one alert, or the summary of `repeats` more held back since `since`
// (then `alert` is the last of them).
struct Outgoing {
  Alert alert;
  int repeats = 0;
  absl::Time since;
};

// The reason for an archive's status, or nullopt when it is not a failure (0, or -2: stopped
// because a user asked).
std::optional<std::string> ArchiveFailure(int status, const std::string& signal);
// The exception's description, or nullopt for those that are not failures or that the
// run's archive already tells (a job's "finished unseccessed with status", a skipped fire).
std::optional<std::string> ExceptionFailure(const std::string& desc);

// One line: "[Asgard] app web failed: exited with status 1".
std::string Title(const Outgoing& out);
// Title, then "key: value" lines (agent, command, dir, run, time, repeats).
std::string Text(const Outgoing& out, absl::TimeZone zone);
// Text as an HTML fragment, each line escaped into a <p>.
std::string Html(const Outgoing& out, absl::TimeZone zone);

}  // namespace asgard::notify
