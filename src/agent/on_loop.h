// File: on_loop.h
// Runs a function on the event loop from another thread (a gRPC handler, the uplink) and waits
// for its result. If the loop does not run it in time (it is stopping), the caller gets
// Unavailable instead of waiting forever; the function may still run later, so it must own
// what it uses.
//
//   absl::StatusOr<v1::AgentTask> t = OnLoop<v1::AgentTask>(loop, [&host, ref] {
//     return host.Get(ref);
//   });
#pragma once

#include <chrono>
#include <future>
#include <memory>

#include "absl/status/statusor.h"
#include "common/event_loop.h"

namespace asgard::agent {

inline constexpr auto kOnLoopTimeout = std::chrono::seconds(30);

// `timeout`: how long to wait (a health probe waits less than a user's call).
template <typename T, typename Fn>
absl::StatusOr<T> OnLoop(EventLoop& loop, Fn fn,
                         std::chrono::milliseconds timeout = kOnLoopTimeout) {
  auto promise = std::make_shared<std::promise<absl::StatusOr<T>>>();
  auto future = promise->get_future();
  loop.Post([promise, fn = std::move(fn)]() mutable { promise->set_value(fn()); });
  if (future.wait_for(timeout) != std::future_status::ready) {
    return absl::UnavailableError("the agent is busy or stopping; try again");
  }
  return future.get();
}

}  // namespace asgard::agent
