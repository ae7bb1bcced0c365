// File: timer_service.h
// The seam between state machines and time: a monotonic clock plus one-shot timers.
// EventLoop implements it for real; testing/fake_timers.h implements it with a manual clock so
// that backoff, start_secs and stop timeouts are tested without sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

namespace asgard {

using SteadyTime = std::chrono::steady_clock::time_point;
using Duration = std::chrono::steady_clock::duration;
using WallTime = std::chrono::system_clock::time_point;

class TimerService {
 public:
  using TimerId = uint64_t;  // 0 is never a valid id
  virtual ~TimerService() = default;

  // Monotonic now (std::chrono::steady_clock on the real loop).
  virtual SteadyTime Now() const = 0;
  // Runs `fn` once on the loop thread after `delay`. Returns an id for Cancel().
  virtual TimerId RunAfter(Duration delay, std::function<void()> fn) = 0;
  // Cancels a pending timer (monotonic or wall); unknown or fired ids are ignored.
  virtual void Cancel(TimerId id) = 0;

  // Wall-clock now (std::chrono::system_clock on the real loop).
  virtual WallTime WallNow() const = 0;
  // Runs `fn` once at the wall-clock instant `when` (calendar deadlines: cron fires, timings).
  virtual TimerId RunAtWall(WallTime when, std::function<void()> fn) = 0;
};

}  // namespace asgard
