// File: task_sql.h
// How apps, jobs and timings map to their tables: the editable columns of each kind in one
// list (name, how to bind it, how to read it back), the SELECT that reads a whole Task, and the
// CASE expression that derives the original's `status` from desired and observed state.
// Internal to src/store.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/records.h"
#include "store/sql.h"

namespace asgard::store {

// Editable column names of `kind`, in the order of TaskParams.
const std::vector<std::string>& TaskColumns(TaskKind kind);
SqlParams TaskParams(TaskKind kind, const TaskInput& input);

// "SELECT <every column> FROM `apps`" (append WHERE ...); rows read with ReadTask.
std::string TaskSelect(TaskKind kind);
// DataLoss naming the table, id and column for a value a typed column cannot hold.
absl::StatusOr<Task> ReadTask(TaskKind kind, const SqlRow& row);

// When status is derived:
//   kUser     after a desired-state change or an edit: a finished timing may run again;
//   kObserved after an agent's report: a timing whose run ended on its own is done (3);
//   kOffline  after the agent went offline: a done timing stays done.
enum class DeriveMode { kUser, kObserved, kOffline };
// "CASE ... END" over the row's status, desired and state (SPEC 5: deleted -1; paused 2;
// unknown or never observed -2; fatal -3; running, starting or backoff 1; otherwise 0).
std::string StatusCase(TaskKind kind, DeriveMode mode);

}  // namespace asgard::store
