// File: assignment_cache.h
// The agent's last assignment on local disk (runtime/agent-assignment.pb), so that an agent
// that starts while its master is unreachable still runs what it ran before.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "asgard/v1/master.pb.h"

namespace asgard::agent {

// Atomic replace (temp file, fsync, rename): a crash leaves the old or the new one.
absl::Status SaveAssignmentCache(const std::string& path, const v1::Assignment& assignment);
// nullopt when there is no cache; DataLoss when it exists but does not parse.
absl::StatusOr<std::optional<v1::Assignment>> LoadAssignmentCache(const std::string& path);

}  // namespace asgard::agent
