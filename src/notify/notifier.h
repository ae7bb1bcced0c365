// File: notifier.h
// Sends alerts off the caller's thread: Post() queues and returns at once (a report handler
// must not wait for an SMTP server); one worker applies the throttle, fills the names from the
// store through `describe`, and hands each alert to every channel. A failed channel is logged
// and the alert is not retried (the next failure of the task will alert again).
//
//   Notifier notifier(std::move(channels), absl::Seconds(cfg.master.notify_throttle), describe);
//   notifier.Post(alert);
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/time/time.h"
#include "notify/channel.h"
#include "notify/throttle.h"

namespace asgard::notify {

// Fills an alert's name, agent, command and dir just before it is sent.
using DescribeFn = std::function<void(Alert&)>;

class Notifier {
 public:
  // With no channels, Post() drops everything and no thread runs.
  Notifier(std::vector<std::unique_ptr<Channel>> channels, absl::Duration throttle,
           DescribeFn describe);
  // Stops the worker; alerts still queued are logged as not sent.
  ~Notifier();
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  bool enabled() const { return !channels_.empty(); }
  void Post(Alert alert);

 private:
  void Run();
  void Deliver(Outgoing out);

  const std::vector<std::unique_ptr<Channel>> channels_;
  const DescribeFn describe_;
  AlertThrottle throttle_;  // the worker's only
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Alert> queue_;  // guarded by mu_
  bool stop_ = false;        // guarded by mu_
  std::thread worker_;
};

}  // namespace asgard::notify
