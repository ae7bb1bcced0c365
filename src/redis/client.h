// File: client.h
// A Redis client for request threads: one connection, shared under a lock, dialled again after
// an error with a backoff (0.1 s doubling to 2 s), during which every command fails at once
// with Unavailable rather than wait. Callers treat Unavailable as "Redis is down" and fall back
// to what they did without it; nothing here retries a command.
//
//   redis::Client redis(options);
//   absl::StatusOr<redis::Reply> n = redis.Command({"INCR", redis::Key("login:x")});
//
// Thread-safety: all methods may be called from any thread; commands are serialised (callers
// send few: logins, publications on writes).
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "redis/connection.h"

namespace asgard::redis {

// `name` under kKeyPrefix.
std::string Key(const std::string& name);

class Client {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // Does not dial: the first command does.
  explicit Client(Options options, Clock now = &std::chrono::steady_clock::now);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // As Connection::Command, dialling first when needed: Unavailable while Redis cannot be
  // reached (at once during the backoff), FailedPrecondition for an error reply.
  absl::StatusOr<Reply> Command(const std::vector<std::string>& args) ABSL_LOCKS_EXCLUDED(mu_);
  // PING: OK when Redis answers (dials when needed).
  absl::Status Ping() ABSL_LOCKS_EXCLUDED(mu_);

  const Options& options() const { return options_; }

 private:
  absl::Status EnsureConnected() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  const Clock now_;
  absl::Mutex mu_;
  std::optional<Connection> connection_ ABSL_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point next_dial_ ABSL_GUARDED_BY(mu_);
  std::chrono::milliseconds backoff_ ABSL_GUARDED_BY(mu_){0};
  absl::Status last_error_ ABSL_GUARDED_BY(mu_);
};

// The backoff after `previous` (zero: the first failure).
std::chrono::milliseconds NextBackoff(std::chrono::milliseconds previous);

}  // namespace asgard::redis
