// File: connection.h
// One connection to Redis over hiredis (Debian's libhiredis 0.14, which has no TLS: Redis must
// be reached over a trusted network, loopback or a private link), owning the hiredis context
// (freed exactly once). Connect() dials with a timeout, authenticates (AUTH) and selects the
// database (SELECT); every blocking read or write then times out after Options::timeout.
// Replies are copied into Reply values, so no hiredis object outlives a call.
//
//   ASSIGN_OR_RETURN(redis::Connection c, redis::Connection::Connect(options));
//   absl::StatusOr<redis::Reply> r = c.Command({"INCR", "asgard2:x"});
//
// After an error other than a Redis error reply (Status kFailedPrecondition, see Command) the
// connection is broken: `broken()` says so and the caller dials again.
//
// Thread-safety: none; one thread at a time (Client adds a lock).
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace asgard::redis {

// The key prefix of everything Asgard keeps or publishes in Redis, so that it can share a
// Redis with other programs (and with the original Asgard, which uses "asgard:").
inline constexpr char kKeyPrefix[] = "asgard2:";

struct Options {
  std::string host;
  int port = 6379;
  std::string password;  // empty: no AUTH
  int db = 0;
  // For connecting and for each command's reply: a Redis that hangs costs a caller this much.
  std::chrono::milliseconds timeout{250};
};

// "host:port" (db n), for log lines.
std::string Describe(const Options& options);

// A reply, copied out of hiredis.
struct Reply {
  enum class Type { kString, kArray, kInteger, kNil, kStatus };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus
  int64_t integer = 0;
  std::vector<Reply> elements;  // kArray
};

class Connection {
 public:
  // Unavailable when Redis cannot be reached in time; PermissionDenied when AUTH is refused;
  // InvalidArgument when SELECT is.
  static absl::StatusOr<Connection> Connect(const Options& options);

  Connection(Connection&&) = default;
  Connection& operator=(Connection&&) = default;

  // Sends one command and reads its reply. A Redis error reply (-ERR ...) is
  // FailedPrecondition and leaves the connection usable; anything else failing (timeout, reset)
  // is Unavailable and breaks it.
  absl::StatusOr<Reply> Command(const std::vector<std::string>& args);

  // Queues a command without waiting for its reply (for a subscriber: PING, SUBSCRIBE).
  absl::Status Send(const std::vector<std::string>& args);
  // Writes what Send queued; Unavailable (broken) on error.
  absl::Status Flush();
  // A reply already received, or nullopt when more must be read first (ReadSome).
  absl::StatusOr<std::optional<Reply>> Buffered();
  // Reads what the socket has now into the buffer (call when poll says readable). Unavailable
  // (broken) when the peer closed or on error.
  absl::Status ReadSome();

  int fd() const;
  bool broken() const { return broken_; }

 private:
  struct Free {
    void operator()(redisContext* c) const { redisFree(c); }
  };
  explicit Connection(std::unique_ptr<redisContext, Free> context)
      : context_(std::move(context)) {}
  absl::Status Broken(const std::string& what);

  std::unique_ptr<redisContext, Free> context_;
  bool broken_ = false;
};

}  // namespace asgard::redis
