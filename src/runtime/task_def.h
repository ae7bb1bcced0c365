// File: task_def.h
// The one typed model of "what should run", whatever its source: app.yaml (config loader), a
// master's assignment (the agent, through rpc/task_set_convert.h). A TaskSet holds TaskDefs,
// each with a typed TaskId and the policy of its kind, already parsed (a cron spec is a
// CronSchedule here, never text to parse again). Guard and Cron apply a TaskSet as a difference
// (guard.h, cron.h).
//
//   TaskSet set;
//   TaskDef def = TaskDef::App(TaskId::Named(TaskKind::kApp, "web"), spec, {});
//   RETURN_IF_ERROR(Validate(def));
//   RETURN_IF_ERROR(set.Add(std::move(def)));
//   guard.Apply(set);
//
// Thread-safety: plain values; a TaskSet is not synchronised.
#pragma once

#include <chrono>
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "common/timer_service.h"
#include "process/process_spec.h"
#include "process/records.h"
#include "runtime/concurrency.h"
#include "sched/cron_schedule.h"

namespace asgard::runtime {

using process::TaskKind;

// Who a task is across reloads and reassignments. Tasks of app.yaml are known by kind and name
// (number 0); tasks of a master by kind and store id (number > 0) and their current name, so
// that a renamed task is a changed one (stopped, then started under its new name).
struct TaskId {
  TaskKind kind = TaskKind::kApp;
  int64_t number = 0;
  std::string name;

  static TaskId Named(TaskKind kind, std::string name) { return {kind, 0, std::move(name)}; }
  auto operator<=>(const TaskId&) const = default;
  bool operator==(const TaskId&) const = default;
};

// How each run of a job or timing is bounded.
struct RunPolicy {
  std::chrono::seconds timeout{0};  // <= 0: none
  int retries = 0;
  std::chrono::seconds retry_delay{10};
  bool operator==(const RunPolicy&) const = default;
};

struct JobPolicy {
  sched::CronSchedule schedule;  // parsed once, where the spec was entered
  Concurrency concurrency = Concurrency::kForbid;
  int max_concurrent = kDefaultMaxConcurrent;  // runs alive at once (concurrency.h)
  RunPolicy run;
  // Same spec text in the same zone, same limits.
  bool operator==(const JobPolicy& o) const;
};

struct TimingPolicy {
  WallTime time;
  RunPolicy run;
  std::chrono::seconds grace{60};  // a time this recently past still runs at start
  bool operator==(const TimingPolicy&) const = default;
};

struct TaskDef {
  TaskId id;
  process::ProcessSpec spec;  // spec.name is id.name
  std::variant<process::RestartPolicy, JobPolicy, TimingPolicy> policy;

  TaskKind kind() const { return id.kind; }
  // The policy of the task's kind; calling the wrong one is a programming error.
  const process::RestartPolicy& restart() const { return std::get<process::RestartPolicy>(policy); }
  const JobPolicy& job() const { return std::get<JobPolicy>(policy); }
  const TimingPolicy& timing() const { return std::get<TimingPolicy>(policy); }

  bool operator==(const TaskDef&) const = default;
};

// What a task definition must satisfy before it runs, wherever it came from: a non-empty name
// and program, quoting of args that splits, a stop signal 1-64, a policy of the task's kind
// within its limits. InvalidArgument "<field>: <reason>" (the field as the API
// and app.yaml name it); the source adds where the task is ("app[2].", "task 'x' (id 3): ").
absl::Status Validate(const TaskDef& def);

// The same check, with the field apart, for sources that word errors their own way (app.yaml
// adds the key path and line).
struct InvalidField {
  std::string field;   // "program", "max_concurrent", ...
  std::string reason;  // "is empty", "1001 is out of range 1..1000"
};
std::optional<InvalidField> FindInvalidField(const TaskDef& def);
// The part of it about the process alone (name, program, args, stop signal and timeout).
std::optional<InvalidField> FindInvalidSpecField(const process::ProcessSpec& spec);

// The tasks to run, in the order of their source (app.yaml order, or the assignment's).
class TaskSet {
 public:
  // Adds `def` after the others; AlreadyExists if a task with its id is in the set.
  absl::Status Add(TaskDef def);
  // Adds or replaces the task with `def`'s id (a replaced one keeps its place).
  void Put(TaskDef def);
  // Removes the task; false if none has that id.
  bool Remove(const TaskId& id);

  const TaskDef* Find(const TaskId& id) const;
  const std::vector<TaskDef>& all() const { return defs_; }
  // The tasks of one kind, in order.
  std::vector<const TaskDef*> OfKind(TaskKind kind) const;
  size_t size() const { return defs_.size(); }
  bool empty() const { return defs_.empty(); }

 private:
  void Reindex();

  std::vector<TaskDef> defs_;
  std::map<TaskId, size_t> index_;  // position in defs_
};

}  // namespace asgard::runtime
