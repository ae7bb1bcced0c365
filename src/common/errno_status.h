// File: errno_status.h
// Turns the current errno into an absl::Status that names the failed operation.
#pragma once

#include <cerrno>
#include <string>

#include "absl/status/status.h"

namespace asgard {

// ErrnoStatus("open /x") -> "open /x: No such file or directory" with a code chosen from errno.
absl::Status ErrnoStatus(const std::string& what, int err = errno);

}  // namespace asgard
