// File: task_set_convert.h
// The one conversion between the wire's task (asgard.v1.TaskDefinition, TaskRef) and the
// runtime's (runtime::TaskDef, TaskId), for the agent. A task of a master is known by its kind
// and store id (TaskId::number) and its current name, so two tasks of one kind may share a name
// and a renamed task is a changed one. The checks are runtime::Validate's plus the wire's own
// (the ref, the cron spec and concurrency as text, 0 meaning "the default").
//
//   ASSIGN_OR_RETURN(runtime::TaskDef def, ToTaskDef(definition));
//   v1::TaskRef ref = RefOf(def.id);
#pragma once

#include <optional>

#include "absl/status/statusor.h"
#include "asgard/v1/task.pb.h"
#include "runtime/task_def.h"

namespace asgard::rpc {

// kApp, kJob, kTiming; InvalidArgument for an unspecified kind.
absl::StatusOr<runtime::TaskKind> RuntimeKind(v1::TaskKind kind);
v1::TaskKind WireKind(runtime::TaskKind kind);

// The id of a definition whose kind is valid (see RuntimeKind).
runtime::TaskId IdOf(const v1::TaskDefinition& def);
v1::TaskRef RefOf(const runtime::TaskId& id);

// The definition in the runtime's terms, or InvalidArgument "task '<name>' (id <n>): <field>:
// <reason>" naming the first field that is wrong. The process runs as the agent's own user
// until the caller gives it the task's identity (spec.user, spec.isolated).
absl::StatusOr<runtime::TaskDef> ToTaskDef(const v1::TaskDefinition& def);

// The first field of `def` that ToTaskDef would refuse, worded as runtime::Validate words it
// (the ref's id aside: a task not stored yet has none). The web node checks a request body
// with it before it stores the task, so that what it accepts an agent runs.
std::optional<runtime::InvalidField> FindRefusedField(const v1::TaskDefinition& def);

}  // namespace asgard::rpc
