#include "web/task_control.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/absl_fmt.h"
#include "common/status_macros.h"
#include "rpc/task_definition.h"
#include "rpc/task_set_convert.h"
#include "spdlog/spdlog.h"
#include "web/body_fields.h"
#include "web/field_limits.h"
#include "web/task_json.h"

namespace asgard::web {
namespace {

using store::TaskKind;

constexpr size_t kMaxBatchIds = 1000;

absl::Status AlreadyError(TaskKind kind, const char* state) {
  return absl::FailedPreconditionError(absl::StrCat("the ", KindWord(kind), " is already ", state));
}

// What an agent would refuse (runtime::Validate's rules, through the one conversion the agent
// uses) is a 400 here, before anything is stored.
absl::Status CheckRunnable(TaskKind kind, const store::TaskInput& input, const store::User& user) {
  store::Task task;
  task.kind = kind;
  task.input = input;
  task.creator = user.id;
  v1::TaskDefinition def = rpc::ToDefinition(task, rpc::TaskOwner{user.id, user.admin()});
  if (auto bad = rpc::FindRefusedField(def)) {
    return absl::InvalidArgumentError(absl::StrCat(bad->field, ": ", bad->reason));
  }
  return absl::OkStatus();
}

}  // namespace

std::string ChangeMessage(const TaskChange& change) {
  std::vector<std::string> parts;
  if (!change.note.empty()) parts.push_back(change.note);
  if (!change.push.ok()) {
    parts.push_back(absl::StrCat(change.push.message(), " (the agent applies it when it is back)"));
  }
  if (parts.empty()) return "ok";
  return absl::StrCat("saved; ", absl::StrJoin(parts, "; "));
}

absl::StatusOr<std::vector<int64_t>> ParseBatchIds(const nlohmann::json& body) {
  auto ids = body.find("ids");
  if (ids == body.end() || !ids->is_array() || ids->empty()) {
    return absl::InvalidArgumentError("ids: a non-empty array of ids is required");
  }
  if (ids->size() > kMaxBatchIds) return absl::InvalidArgumentError("ids: at most 1000 per call");
  std::vector<int64_t> out;
  out.reserve(ids->size());
  for (const auto& item : *ids) {
    if (!item.is_number_integer()) {
      return absl::InvalidArgumentError("ids: every id must be an integer");
    }
    ASSIGN_OR_RETURN(int64_t id, IntValue(item, "ids", 1, kMaxId));
    out.push_back(id);
  }
  return out;
}

store::TaskFilter TaskControl::VisibleTo(const store::User& user, store::TaskFilter filter) {
  if (!user.admin()) filter.creator = user.id;
  return filter;
}

absl::StatusOr<store::Task> TaskControl::Load(const store::User& user, TaskKind kind,
                                              int64_t id) {
  auto task = store_.GetTask(kind, id);
  if (!task.ok() || task->status == store::kTaskDeleted) {
    return absl::NotFoundError(absl::StrCat("no such ", KindWord(kind), " ", id));
  }
  if (!user.admin() && task->creator != user.id) {
    return absl::PermissionDeniedError(
        absl::StrCat("this ", KindWord(kind), " belongs to another user"));
  }
  return task;
}

absl::StatusOr<std::string> TaskControl::CheckRefs(store::TaskInput& in, int64_t current_group) {
  auto agent = store_.GetAgent(in.agent_id);
  if (!agent.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("agent_id: no agent ", in.agent_id));
  }
  if (agent->forbidden()) {
    return absl::InvalidArgumentError(absl::StrCat("agent_id: agent ", in.agent_id,
                                                   " is forbidden"));
  }
  if (in.group_id <= 0) return std::string();
  ASSIGN_OR_RETURN(GroupChoice group,
                   ChooseGroup(in.group_id, current_group, store_.GetGroup(in.group_id)));
  in.group_id = group.group_id;
  return group.note;
}

absl::StatusOr<TaskChange> TaskControl::Create(const store::User& user, TaskKind kind,
                                               const nlohmann::json& body) {
  ASSIGN_OR_RETURN(store::TaskInput input,
                   ParseTaskInput(kind, body, store::TaskInput{}, store::RightsOf(user)));
  RETURN_IF_ERROR(CheckRunnable(kind, input, user));
  RETURN_IF_ERROR(CheckRefs(input, 0).status());
  input.desired = store::Desired::kPause;  // created paused, as the original
  ASSIGN_OR_RETURN(store::Task task, store_.CreateTask(kind, input, user.id));
  Log(user, kind, task.id, kOpCreate);
  absl::Status push = agents_.PushDefinition(task);
  std::string note = RunAsNote(input.user, task.input.user);
  return TaskChange{std::move(task), std::move(push), std::move(note)};
}

absl::StatusOr<TaskChange> TaskControl::Update(const store::User& user, TaskKind kind, int64_t id,
                                               const nlohmann::json& body) {
  ASSIGN_OR_RETURN(store::Task task, Load(user, kind, id));
  ASSIGN_OR_RETURN(store::TaskInput input,
                   ParseTaskInput(kind, body, task.input, store::RightsOf(user)));
  RETURN_IF_ERROR(CheckRunnable(kind, input, user));
  ASSIGN_OR_RETURN(std::string group_note, CheckRefs(input, task.input.group_id));
  ASSIGN_OR_RETURN(store::Task updated, store_.UpdateTask(kind, id, input, user.id));
  Log(user, kind, id, kOpUpdate);
  absl::Status push;
  if (task.input.agent_id != updated.input.agent_id) {
    push = agents_.PushRemove(task, task.input.agent_id);  // moved: stopped on the old agent first
  }
  if (push.ok()) push = agents_.PushDefinition(updated);
  std::string note = RunAsNote(task.input.user, updated.input.user);
  if (!group_note.empty()) note = absl::StrCat(note, note.empty() ? "" : "; ", group_note);
  return TaskChange{std::move(updated), std::move(push), std::move(note)};
}

absl::StatusOr<TaskChange> TaskControl::Copy(const store::User& user, TaskKind kind, int64_t id) {
  ASSIGN_OR_RETURN(store::Task task, Load(user, kind, id));
  store::TaskInput input = task.input;
  input.name = absl::StrCat(input.name, "_copy");
  input.desired = store::Desired::kPause;
  // The copy is the copier's write: the store keeps `user` only if they may name it.
  ASSIGN_OR_RETURN(store::Task copy, store_.CreateTask(kind, input, user.id));
  Log(user, kind, id, kOpCopy);
  absl::Status push = agents_.PushDefinition(copy);
  std::string note = RunAsNote(task.input.user, copy.input.user);
  return TaskChange{std::move(copy), std::move(push), std::move(note)};
}

absl::StatusOr<TaskChange> TaskControl::SetDesired(const store::User& user, TaskKind kind,
                                                   int64_t id, store::Desired desired) {
  ASSIGN_OR_RETURN(store::Task task, Load(user, kind, id));
  const bool start = desired == store::Desired::kRun;
  if (task.desired == desired) return AlreadyError(kind, start ? "started" : "paused");
  ASSIGN_OR_RETURN(store::Task updated, store_.SetDesired(kind, id, desired, user.id));
  Log(user, kind, id, start ? kOpStart : kOpPause);
  absl::Status push = agents_.PushDefinition(updated);
  return TaskChange{std::move(updated), std::move(push), ""};
}

absl::StatusOr<TaskChange> TaskControl::Start(const store::User& user, TaskKind kind, int64_t id) {
  return SetDesired(user, kind, id, store::Desired::kRun);
}

absl::StatusOr<TaskChange> TaskControl::Pause(const store::User& user, TaskKind kind, int64_t id) {
  return SetDesired(user, kind, id, store::Desired::kPause);
}

absl::StatusOr<TaskChange> TaskControl::Restart(const store::User& user, TaskKind kind,
                                                int64_t id) {
  ASSIGN_OR_RETURN(store::Task task, Load(user, kind, id));
  if (task.desired != store::Desired::kRun) {
    ASSIGN_OR_RETURN(task, store_.SetDesired(kind, id, store::Desired::kRun, user.id));
  }
  RETURN_IF_ERROR(store_.GetAgent(task.input.agent_id).status());
  absl::Status push;
  if (kind == TaskKind::kApp) {
    push = agents_.Restart(task);
    if (absl::IsNotFound(push)) push = agents_.PushDefinition(task);
  } else {
    push = agents_.PushDefinition(task);
  }
  Log(user, kind, id, kOpRestart);
  RETURN_IF_ERROR(push);
  ASSIGN_OR_RETURN(store::Task now, store_.GetTask(kind, id));
  return TaskChange{std::move(now), absl::OkStatus(), ""};
}

absl::StatusOr<TaskChange> TaskControl::Delete(const store::User& user, TaskKind kind, int64_t id) {
  ASSIGN_OR_RETURN(store::Task task, Load(user, kind, id));
  if (task.desired == store::Desired::kRun) {
    return absl::FailedPreconditionError(
        absl::StrCat("pause the ", KindWord(kind), " before deleting it"));
  }
  RETURN_IF_ERROR(store_.DeleteTask(kind, id, user.id));
  Log(user, kind, id, kOpDelete);
  absl::Status push = agents_.PushRemove(task, task.input.agent_id);
  return TaskChange{std::move(task), std::move(push), ""};
}

absl::StatusOr<TaskChange> TaskControl::Apply(TaskAction action, const store::User& user,
                                              TaskKind kind, int64_t id) {
  switch (action) {
    case TaskAction::kStart:
      return Start(user, kind, id);
    case TaskAction::kPause:
      return Pause(user, kind, id);
    case TaskAction::kRestart:
      return Restart(user, kind, id);
    case TaskAction::kDelete:
      break;
  }
  return Delete(user, kind, id);
}

std::vector<std::pair<int64_t, absl::StatusOr<TaskChange>>> TaskControl::Batch(
    TaskAction action, const store::User& user, TaskKind kind, const std::vector<int64_t>& ids) {
  std::vector<std::pair<int64_t, absl::StatusOr<TaskChange>>> results;
  results.reserve(ids.size());
  for (int64_t id : ids) results.emplace_back(id, Apply(action, user, kind, id));
  return results;
}

absl::StatusOr<store::Task> TaskControl::RunJob(const store::User& user, int64_t id) {
  ASSIGN_OR_RETURN(store::Task task, Load(user, TaskKind::kJob, id));
  if (task.desired != store::Desired::kRun) {
    return absl::FailedPreconditionError("start the job before running it");
  }
  RETURN_IF_ERROR(store_.GetAgent(task.input.agent_id).status());
  absl::Status ran = agents_.Trigger(task);
  if (absl::IsNotFound(ran)) {
    RETURN_IF_ERROR(agents_.PushDefinition(task));
    ran = agents_.Trigger(task);
  }
  RETURN_IF_ERROR(ran);
  Log(user, TaskKind::kJob, id, kOpStart);
  return task;
}

void TaskControl::Log(const store::User& user, TaskKind kind, int64_t id,
                      OperationAction action) {
  store::Operation op;
  op.user_id = user.id;
  op.type = static_cast<int>(kind);
  op.related_id = id;
  op.action = action;
  op.created_at = absl::Now();
  if (auto s = store_.InsertOperation(op); !s.ok()) spdlog::warn("operation log: {}", s.status());
}

}  // namespace asgard::web
