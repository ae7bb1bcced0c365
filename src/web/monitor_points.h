// File: monitor_points.h
// The answer of GET /api/v1/monitor/{agent,app,job,timing}: the newest `size` monitor samples of
// one agent or task, oldest first, as JSON text; the same chart asked again at once (consoles
// polling a task's detail, several operators on one task) is answered from a cache instead of
// being queried and printed again.
//
//   MonitorPoints points(store, zone);
//   absl::StatusOr<std::string> text = points.Answer(
//       {.type = 2, .id = app_id, .size = 100, .viewer = "admin"},
//       [&] { return MayView(call, app_id); });
//
// An answer is kept (response_cache.h) while the store has finished no write since before it
// was read, and for at most 1 s: the second bound covers what the store's write count cannot see
// (samples a separate `asgard master` stores, a task deleted by another web node) and the clock
// (the window of the query moves with it). In `asgard all` every report of the local agent is a
// write, so a new sample is answered as soon as it is stored.
// The viewer is part of the key: an answer is made only after `check` allowed that viewer, and a
// later hit for the same viewer skips the check. What could change the verdict (the task
// deleted, the viewer's role) is a write, which ends the entry like any other.
// Thread-safety: Answer may be called from any thread at once.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/records.h"
#include "store/store.h"
#include "web/response_cache.h"

namespace asgard::web {

class MonitorPoints {
 public:
  struct Query {
    int type = 0;        // the monitor tables' type: 1 agent, 2 app, 3 job, 4 timing
    int64_t id = 0;      // of the agent or task
    int size = 100;      // newest samples, 1..1000 (the route clamps it)
    std::string viewer;  // whose rights `check` decided on, e.g. "admin" or "user 7"
  };

  explicit MonitorPoints(store::Store& store, absl::TimeZone zone,
                         std::function<absl::Time()> now = [] { return absl::Now(); },
                         ResponseCache::Clock clock = &std::chrono::steady_clock::now);
  MonitorPoints(const MonitorPoints&) = delete;
  MonitorPoints& operator=(const MonitorPoints&) = delete;

  // The JSON array of the samples from 62 days ago to a minute ahead (clocks of agents differ
  // a little), or what `check` returned when it refused; `check` runs unless a recent answer
  // for the same query and viewer is still current.
  absl::StatusOr<std::string> Answer(const Query& query,
                                     absl::FunctionRef<absl::Status()> check);
  // The answer Answer would give from memory; none when it would have to query.
  std::optional<std::string> Cached(const Query& query);

 private:
  static std::string Key(const Query& query);
  store::Store& store_;
  const absl::TimeZone zone_;
  const std::function<absl::Time()> now_;
  ResponseCache answers_;
};

// [{"cpu":..,"created_at":"<RFC 3339 in zone>","memory":..,"pid":..,"threads":..}, ...]: the
// members in the order (by name) and with the number formats of the nlohmann tree the route
// used to build.
std::string MonitorPointsJson(const std::vector<store::MonitorSample>& points,
                              absl::TimeZone zone);

}  // namespace asgard::web
