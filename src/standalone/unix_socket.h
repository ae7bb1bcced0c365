// File: unix_socket.h
// Claiming a Unix socket path for a daemon: a path left by a crashed daemon (nobody accepts on
// it) is removed; a path a live daemon serves is refused, so two daemons never share one.
#pragma once

#include <string>

#include "absl/status/status.h"

namespace asgard::standalone {

// OK when `path` is free (missing, or stale and removed). FailedPrecondition when a daemon is
// answering on it; the message says so.
absl::Status ClaimSocketPath(const std::string& path);

// Whether something accepts connections on `path`.
bool SocketIsServed(const std::string& path);

}  // namespace asgard::standalone
