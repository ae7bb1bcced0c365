// File: fake_timers.h
// A TimerService with a manual clock: Advance() fires due timers in order, so tests of
// backoff, start_secs and stop timeouts run instantly and deterministically.
//
//   FakeTimers timers;
//   timers.RunAfter(std::chrono::seconds(1), [&] { fired = true; });
//   timers.Advance(std::chrono::seconds(1));  // fired == true
#pragma once

#include <map>
#include <utility>

#include "common/timer_service.h"

namespace asgard::testing {

class FakeTimers final : public TimerService {
 public:
  SteadyTime Now() const override { return now_; }

  TimerId RunAfter(Duration delay, std::function<void()> fn) override {
    TimerId id = next_id_++;
    pending_.emplace(std::make_pair(now_ + delay, id), std::move(fn));
    return id;
  }

  void Cancel(TimerId id) override {
    for (auto it = pending_.begin(); it != pending_.end(); ++it) {
      if (it->first.second == id) {
        pending_.erase(it);
        return;
      }
    }
  }

  // Wall time moves with the steady clock from a fixed, arbitrary start.
  WallTime WallNow() const override { return wall_start_ + (now_ - SteadyTime{}); }
  TimerId RunAtWall(WallTime when, std::function<void()> fn) override {
    Duration delay = when > WallNow() ? when - WallNow() : Duration::zero();
    return RunAfter(delay, std::move(fn));
  }
  void SetWallStart(WallTime t) { wall_start_ = t - (now_ - SteadyTime{}); }

  // Moves the clock forward by `d`, firing every timer that falls due, earliest first.
  void Advance(Duration d) {
    SteadyTime end = now_ + d;
    while (!pending_.empty() && pending_.begin()->first.first <= end) {
      auto node = pending_.extract(pending_.begin());
      now_ = node.key().first;
      node.mapped()();
    }
    now_ = end;
  }

  size_t pending() const { return pending_.size(); }
  // Delay until the earliest pending timer (Duration::max() when none).
  Duration NextDelay() const {
    return pending_.empty() ? Duration::max() : pending_.begin()->first.first - now_;
  }

 private:
  SteadyTime now_{};
  WallTime wall_start_ = std::chrono::system_clock::from_time_t(1'800'000'000);
  TimerId next_id_ = 1;
  std::map<std::pair<SteadyTime, TimerId>, std::function<void()>> pending_;
};

}  // namespace asgard::testing
