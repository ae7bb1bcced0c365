// File: event_loop.h
// One epoll loop per role: fd readiness, monotonic timers, absolute wall-clock timers and work
// posted from other threads, all delivered on the loop thread. No polling: the loop sleeps in
// epoll_wait until an fd, a timerfd or the wake-up eventfd fires.
//
//   ASSIGN_OR_RETURN(auto loop, EventLoop::Create());
//   loop->RunAfter(std::chrono::seconds(1), [] { spdlog::info("tick"); });
//   loop->Watch(fd, [&] { Drain(fd); });
//   loop->Run();  // until Stop()
//
// Thread-safety: Post() and Stop() may be called from any thread; everything else only on the
// loop thread (or before Run()).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "common/timer_service.h"
#include "common/unique_fd.h"

namespace asgard {

class EventLoop final : public TimerService {
 public:
  static absl::StatusOr<std::unique_ptr<EventLoop>> Create();
  ~EventLoop() override;
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Calls `on_readable` (level-triggered) while `fd` is readable or hung up, until Unwatch(fd).
  // The loop does not own `fd`.
  absl::Status Watch(int fd, std::function<void()> on_readable);
  void Unwatch(int fd);

  // TimerService: monotonic one-shot timers.
  SteadyTime Now() const override;
  TimerId RunAfter(Duration delay, std::function<void()> fn) override;
  void Cancel(TimerId id) override;

  // A one-shot timer at an absolute wall-clock instant (CLOCK_REALTIME, cancelled and re-armed
  // when the clock is set, so it fires at the instant, not after an elapsed interval).
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
  TimerId RunAtWall(WallTime when, std::function<void()> fn) override;
  // Called after the wall clock jumped (settimeofday, NTP step); wall timers already re-armed.
  void OnClockJump(std::function<void()> fn) { clock_jump_handlers_.push_back(std::move(fn)); }

  // Queues `fn` to run on the loop thread. Safe from any thread.
  void Post(std::function<void()> fn);

  // Runs until Stop(). Returns once the current iteration ends.
  void Run();
  void Stop();

 private:
  struct TimerQueue;  // one timerfd + an ordered set of deadlines
  EventLoop(UniqueFd epoll, UniqueFd wake, std::unique_ptr<TimerQueue> steady,
            std::unique_ptr<TimerQueue> wall);

  void DispatchReady(int fd);
  void DrainPosted();
  void FireDue(TimerQueue& queue);
  void HandleWallTimerFd();
  TimerId AddTimer(TimerQueue& queue, int64_t deadline_ns, std::function<void()> fn);

  UniqueFd epoll_;
  UniqueFd wake_;  // eventfd: Post() and Stop() wake the loop through it
  std::unique_ptr<TimerQueue> steady_;
  std::unique_ptr<TimerQueue> wall_;
  std::unordered_map<int, std::shared_ptr<std::function<void()>>> watchers_;
  std::vector<std::function<void()>> clock_jump_handlers_;
  TimerId next_timer_id_ = 1;
  bool stopping_ = false;

  std::mutex posted_mu_;
  std::vector<std::function<void()>> posted_;  // guarded by posted_mu_
  bool stop_requested_ = false;                // guarded by posted_mu_
};

}  // namespace asgard
