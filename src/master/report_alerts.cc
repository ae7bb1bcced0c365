#include "master/report_alerts.h"

#include "absl/strings/str_cat.h"

namespace asgard::master {
namespace {

// "app", "job", "timing"; "" for the agent's own items (not alerted).
std::string KindName(int type) {
  switch (static_cast<store::TypeCode>(type)) {
    case store::TypeCode::kApp: return "app";
    case store::TypeCode::kJob: return "job";
    case store::TypeCode::kTiming: return "timing";
    default: return "";
  }
}

std::optional<store::TaskKind> TaskKindOf(const std::string& kind) {
  if (kind == "app") return store::TaskKind::kApp;
  if (kind == "job") return store::TaskKind::kJob;
  if (kind == "timing") return store::TaskKind::kTiming;
  return std::nullopt;
}

notify::Alert TaskAlert(std::string kind, int64_t id, std::string run_uuid, std::string reason,
                        absl::Time time) {
  notify::Alert alert;
  alert.kind = std::move(kind);
  alert.id = id;
  alert.run_uuid = std::move(run_uuid);
  alert.reason = std::move(reason);
  alert.time = time;
  return alert;
}

std::string AgentLabel(const store::Agent& agent) {
  std::string address = absl::StrCat(agent.ip, ":", agent.port);
  return agent.alias.empty() ? address : absl::StrCat(agent.alias, " (", address, ")");
}

}  // namespace

std::vector<notify::Alert> ReportAlerts(const v1::ReportBatch& batch, const ReportRows& rows,
                                        const store::FreshRecords& fresh) {
  std::vector<notify::Alert> alerts;
  for (size_t i : fresh.archives) {
    const store::ArchiveRecord& a = rows.archives[i];
    std::string kind = KindName(a.type);
    auto reason = notify::ArchiveFailure(a.status, a.signal);
    if (kind.empty() || !reason) continue;
    alerts.push_back(TaskAlert(kind, a.related_id, batch.archives(static_cast<int>(i)).uuid(),
                               *reason, a.end_time));
  }
  for (size_t i : fresh.exceptions) {
    const store::ExceptionRecord& e = rows.exceptions[i];
    std::string kind = KindName(e.type);
    auto reason = notify::ExceptionFailure(e.desc);
    if (kind.empty() || !reason) continue;
    alerts.push_back(TaskAlert(kind, e.related_id, batch.exceptions(static_cast<int>(i)).uuid(),
                               *reason, e.created_at));
  }
  return alerts;
}

notify::Alert OfflineAlert(int64_t agent_id, absl::Duration silent_for, absl::Time now) {
  notify::Alert alert;
  alert.kind = "agent";
  alert.id = agent_id;
  alert.reason = absl::StrCat("offline: no heartbeat for ", absl::FormatDuration(silent_for),
                              "; its tasks' state is unknown");
  alert.time = now;
  return alert;
}

void DescribeFromStore(store::Store& store, notify::Alert& alert) {
  int64_t agent_id = alert.id;
  if (auto kind = TaskKindOf(alert.kind)) {
    auto task = store.GetTask(*kind, alert.id);
    if (!task.ok()) return;
    alert.name = task->input.name;
    alert.command = absl::StrCat(task->input.program, task->input.args.empty() ? "" : " ",
                                 task->input.args);
    alert.dir = task->input.dir;
    agent_id = task->input.agent_id;
  }
  auto agent = store.GetAgent(agent_id);
  if (!agent.ok()) return;
  alert.agent = AgentLabel(*agent);
  if (alert.kind == "agent") alert.name = agent->alias.empty() ? alert.agent : agent->alias;
}

}  // namespace asgard::master
