// File: task_store.h
// The part of the store the rules of apps, jobs and timings need (web/task_control.h): the
// task rows, the agent and group a task names, and the operation log. Store (store.h) extends
// it, and SqlStore implements both on SQLite and MySQL/MariaDB; a test may use Store::Open on
// SQLite ":memory:" (real and fast) or, where it pays, a hand-written fake of this interface.
//
//   TaskControl control(store, agents);  // store: a Store, seen as a TaskStore
//
// The contract of each method (errors, the run-as rule at each write, assignment versions) is
// the one documented on Store. Thread-safety: implementations are thread-safe (SqlStore is).
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "store/records.h"

namespace asgard::store {

class TaskStore {
 public:
  virtual ~TaskStore() = default;

  virtual absl::StatusOr<Task> CreateTask(TaskKind kind, const TaskInput& input,
                                          int64_t user_id) = 0;
  virtual absl::StatusOr<Task> UpdateTask(TaskKind kind, int64_t id, const TaskInput& input,
                                          int64_t user_id) = 0;
  virtual absl::StatusOr<Task> GetTask(TaskKind kind, int64_t id) = 0;
  virtual absl::Status DeleteTask(TaskKind kind, int64_t id, int64_t user_id) = 0;
  virtual absl::StatusOr<Task> SetDesired(TaskKind kind, int64_t id, Desired desired,
                                          int64_t user_id) = 0;
  virtual absl::StatusOr<Agent> GetAgent(int64_t id) = 0;
  virtual absl::StatusOr<Group> GetGroup(int64_t id) = 0;
  virtual absl::StatusOr<int64_t> InsertOperation(const Operation& op) = 0;
};

}  // namespace asgard::store
