// File: throttle.h
// Which alerts go out (SPEC 9: throttled per task). The first alert of a task goes at once and
// opens a window; alerts of that task inside the window are held and counted, and when the
// window ends one summary says how many and shows the last. A crash-looping app thus sends two
// messages per window instead of one per exit. An alert about a run already alerted on (its
// timeout, then its exit) is dropped. A window of zero sends everything.
//
//   AlertThrottle throttle(absl::Minutes(5));
//   if (auto out = throttle.Offer(alert, now)) Send(*out);
//   for (const Outgoing& summary : throttle.Due(now)) Send(summary);
//
// Not thread-safe: the notifier's thread owns it.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "notify/alert.h"

namespace asgard::notify {

class AlertThrottle {
 public:
  explicit AlertThrottle(absl::Duration window) : window_(window) {}

  // The alert to send now, or nullopt when it is held or repeats its run.
  std::optional<Outgoing> Offer(const Alert& alert, absl::Time now);
  // Summaries of the windows that ended with alerts held; each opens a new window.
  std::vector<Outgoing> Due(absl::Time now);
  // Tasks with an open window (for tests and the log).
  size_t open_windows() const { return windows_.size(); }

 private:
  struct Window {
    absl::Time opened;
    int held = 0;
    Alert last;  // the newest held alert
  };
  // True the first time `run_uuid` is seen; remembers the last few thousand.
  bool FirstOfRun(const std::string& run_uuid);

  const absl::Duration window_;
  std::map<std::string, Window> windows_;
  std::set<std::string> runs_seen_;
  std::deque<std::string> runs_order_;
};

}  // namespace asgard::notify
