// File: local_client.h
// Client side of the local status service: `guard status|show`, `cron status|show` and
// `agent status` talk to their daemon's Unix socket through it, a page at a time.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "asgard/v1/local.pb.h"

namespace asgard::cli {

// UNAVAILABLE with a sentence fit for the user when no daemon answers on `socket`.
absl::StatusOr<asgard::v1::ListResponse> ListTasks(const std::string& role,
                                                   const std::string& socket);
// Every task of a running agent (`asgard agent status`).
absl::StatusOr<asgard::v1::AgentListResponse> ListAgentTasks(const std::string& socket);
absl::StatusOr<asgard::v1::TaskDetail> GetTask(const std::string& role, const std::string& socket,
                                               const std::string& name);

}  // namespace asgard::cli
