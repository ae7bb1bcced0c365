#include "rpc/task_definition.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "rpc/task_enums.h"
#include "spdlog/spdlog.h"

namespace asgard::rpc {

TaskOwner OwnerRoles::Of(int64_t creator) {
  if (creator == 0) return {0, true};  // written into the database by an operator
  auto it = admins_.find(creator);
  if (it == admins_.end()) {
    auto user = store_.GetUser(creator);
    it = admins_.emplace(creator, user.ok() && user->admin()).first;
  }
  return {creator, it->second};
}

v1::TaskDefinition ToDefinition(const store::Task& task, const TaskOwner& owner) {
  const store::TaskInput& in = task.input;
  v1::TaskDefinition d;
  d.mutable_ref()->set_kind(static_cast<v1::TaskKind>(task.kind));
  d.mutable_ref()->set_id(task.id);
  d.set_name(in.name);
  d.set_dir(in.dir);
  d.set_program(in.program);
  d.set_args(in.args);
  d.set_std_out(in.std_out);
  d.set_std_err(in.std_err);
  d.set_user(in.user);
  for (const auto& [k, v] : in.env) (*d.mutable_env())[k] = v;
  d.set_stop_signal(in.stop_signal.number());
  d.set_stop_timeout(in.stop_timeout);
  d.set_max_bytes(in.max_bytes);
  d.set_backups(in.backups);
  d.set_is_monitor(in.is_monitor);
  d.set_auto_restart(in.auto_restart);
  d.set_start_secs(in.start_secs);
  d.set_max_restarts(in.max_restarts);
  d.set_backoff_max(in.backoff_max);
  d.set_spec(in.spec);
  SetConcurrency(in.concurrency, &d);
  d.set_time(absl::ToUnixSeconds(in.time));
  d.set_grace(in.grace);
  d.set_timeout(in.timeout);
  d.set_retries(in.retries);
  d.set_retry_delay(in.retry_delay);
  d.set_desired(task.desired == store::Desired::kRun ? v1::DESIRED_RUN : v1::DESIRED_PAUSE);
  d.set_as_task_user(!owner.admin);
  d.set_owner_id(owner.id);
  if (task.kind == store::TaskKind::kJob) d.set_max_concurrent(in.max_concurrent);
  return d;
}

void LogImportedRootTasks(store::Store& store) {
  for (auto kind : {store::TaskKind::kApp, store::TaskKind::kJob, store::TaskKind::kTiming}) {
    auto tasks = store.ListImportedRootTasks(kind);
    if (!tasks.ok() || tasks->empty()) continue;
    std::vector<std::string> names;
    for (const store::Task& t : *tasks) names.push_back(absl::StrCat(t.input.name, " (id ", t.id, ")"));
    spdlog::warn("{} {} imported from the original Asgard were created by normal users and ran "
                 "as root there; they now run as their owners' own identity: {}",
                 tasks->size(), store::TaskTable(kind), absl::StrJoin(names, ", "));
  }
}

std::vector<const store::Task*> AssignmentOrder(const store::Assignment& assignment) {
  std::vector<const store::Task*> out;
  out.reserve(assignment.apps.size() + assignment.jobs.size() + assignment.timings.size());
  for (const auto* list : {&assignment.apps, &assignment.jobs, &assignment.timings}) {
    for (const store::Task& task : *list) out.push_back(&task);
  }
  return out;
}

}  // namespace asgard::rpc
