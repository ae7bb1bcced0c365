// File: store_internal.h
// Helpers shared by the store_*.cc files; each runs on a connection the caller has locked.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/records.h"
#include "store/sql.h"

namespace asgard::store::internal {

absl::StatusOr<Agent> ReadAgent(SqlConn& conn, int64_t id);  // NotFound names the id
// assignment_version + 1 (nothing if the agent does not exist).
absl::Status BumpVersion(SqlConn& conn, int64_t agent_id);
absl::StatusOr<Task> ReadTask(SqlConn& conn, TaskKind kind, int64_t id);
absl::StatusOr<std::vector<Task>> ReadTasks(SqlConn& conn, TaskKind kind, const std::string& where,
                                            const SqlParams& params);
// NotFound unless the row exists and is not deleted.
absl::StatusOr<Task> ReadLiveTask(SqlConn& conn, TaskKind kind, int64_t id);

// "a!%b" for LIKE ... ESCAPE '!': the text matches literally, inside %...%.
std::string LikeContains(const std::string& text);

}  // namespace asgard::store::internal
