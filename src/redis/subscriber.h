// File: subscriber.h
// Listens to one Redis channel on a thread and connection of its own, dialling again with a
// backoff (0.1 s doubling to 2 s) whenever the connection fails. It PINGs every 250 ms and
// drops a connection that has said nothing for a second, so a Redis that hangs (or a silent
// network) is noticed as fast as one that is killed.
//
//   redis::Subscriber sub(options, redis::Key("web"),
//                         [](const std::string& message) { ... },   // on the subscriber thread
//                         [](bool live) { ... });                   // after (re)subscribing / losing it
//
// `on_state(true)` runs once each time the subscription is confirmed, `on_state(false)` once
// each time it is lost (messages published in between are missed: the owner must assume
// anything could have changed). Callbacks run on the subscriber's thread, one at a time, and
// must not block for long.
//
// Thread-safety: live() may be called from any thread. The destructor stops the thread (within
// about 100 ms).
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "redis/connection.h"

namespace asgard::redis {

class Subscriber {
 public:
  using OnMessage = std::function<void(const std::string& message)>;
  using OnState = std::function<void(bool live)>;

  Subscriber(Options options, std::string channel, OnMessage on_message, OnState on_state);
  ~Subscriber();
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  // Subscribed and heard from within the last second.
  bool live() const { return live_.load(std::memory_order_acquire); }

 private:
  void Run();
  // One connection's life: returns when it fails or on stop.
  absl::Status Listen(Connection& c);
  void SetLive(bool live);
  // Waits `d` or until stop; true when stopping.
  bool SleepOrStop(std::chrono::milliseconds d);

  const Options options_;
  const std::string channel_;
  const OnMessage on_message_;
  const OnState on_state_;
  std::atomic<bool> live_{false};
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: starts once everything above is ready
};

}  // namespace asgard::redis
