#include "master/master_service.h"

#include "absl/strings/str_cat.h"
#include "common/absl_fmt.h"
#include "master/creator_roles.h"
#include "master/report_alerts.h"
#include "master/report_convert.h"
#include "rpc/grpc_status.h"
#include "spdlog/spdlog.h"

namespace asgard::master {
namespace {

#define ASGARD_CHECK_TOKEN(ctx)                                 \
  if (grpc::Status s = auth_.CheckCall(*(ctx)); !s.ok()) return s

grpc::Status Invalid(const std::string& message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message);
}

}  // namespace

MasterService::MasterService(store::Store& store, MasterOptions options)
    : store_(store),
      options_(std::move(options)),
      auth_(options_.token),
      started_(options_.now()) {}

grpc::Status MasterService::CheckAgent(int64_t agent_id) const {
  if (agent_id <= 0) return Invalid("agent_id must be > 0 (register first)");
  return grpc::Status::OK;
}

grpc::Status MasterService::Register(grpc::ServerContext* ctx, const v1::RegisterRequest* req,
                                     v1::RegisterResponse* resp) {
  ASGARD_CHECK_TOKEN(ctx);
  if (req->ip().empty()) return Invalid("ip is empty");
  if (req->port() <= 0 || req->port() > 65535) return Invalid("port must be 1-65535");
  store::AgentRegistration reg{req->ip(), std::to_string(req->port()), options_.name,
                               req->uuid(), req->pid()};
  auto agent = store_.RegisterAgent(reg, options_.now());
  if (!agent.ok()) return rpc::ToGrpc(agent.status());
  {
    absl::MutexLock lock(&mu_);
    full_state_.erase(agent->id);
  }
  spdlog::info("agent {} registered from {}:{} (pid {}){}", agent->id, req->ip(), req->port(),
               req->pid(), agent->forbidden() ? ", forbidden" : "");
  resp->set_agent_id(agent->id);
  resp->set_forbidden(agent->forbidden());
  resp->set_assignment_version(agent->assignment_version);
  resp->set_heartbeat_interval(options_.heartbeat_interval_s);
  return grpc::Status::OK;
}

grpc::Status MasterService::Heartbeat(grpc::ServerContext* ctx, const v1::HeartbeatRequest* req,
                                      v1::HeartbeatResponse* resp) {
  ASGARD_CHECK_TOKEN(ctx);
  if (auto s = CheckAgent(req->agent_id()); !s.ok()) return s;
  absl::Time now = options_.now();
  auto agent = store_.Heartbeat(req->agent_id(), now);
  if (!agent.ok()) return rpc::ToGrpc(agent.status());
  if (req->tasks_size() > 0 && !agent->forbidden()) {
    auto reports = ToObservedReports(req->tasks());
    if (auto s = store_.RecordObserved(req->agent_id(), reports, now); !s.ok()) {
      return rpc::ToGrpc(s);
    }
  }
  bool have_full;
  {
    absl::MutexLock lock(&mu_);
    if (req->full()) full_state_.insert(req->agent_id());
    have_full = full_state_.count(req->agent_id()) > 0;
  }
  resp->set_assignment_version(agent->assignment_version);
  resp->set_forbidden(agent->forbidden());
  resp->set_send_full(!have_full);
  return grpc::Status::OK;
}

grpc::Status MasterService::PullAssignment(grpc::ServerContext* ctx,
                                           const v1::PullAssignmentRequest* req,
                                           v1::Assignment* resp) {
  ASGARD_CHECK_TOKEN(ctx);
  if (auto s = CheckAgent(req->agent_id()); !s.ok()) return s;
  auto agent = store_.GetAgent(req->agent_id());
  if (!agent.ok()) return rpc::ToGrpc(agent.status());
  if (agent->forbidden()) {
    // A forbidden agent runs nothing: an empty assignment at the current version.
    resp->set_agent_id(agent->id);
    resp->set_version(agent->assignment_version);
    return grpc::Status::OK;
  }
  auto assignment = store_.GetAssignment(req->agent_id());
  if (!assignment.ok()) return rpc::ToGrpc(assignment.status());
  CreatorRoles roles(store_);
  *resp = ToAssignmentProto(req->agent_id(), *assignment,
                            [&roles](int64_t creator) { return roles.AsTaskUser(creator); });
  return grpc::Status::OK;
}

grpc::Status MasterService::Report(grpc::ServerContext* ctx, const v1::ReportBatch* req,
                                   v1::ReportAck* resp) {
  ASGARD_CHECK_TOKEN(ctx);
  if (auto s = CheckAgent(req->agent_id()); !s.ok()) return s;
  auto rows = ToReportRows(*req, req->agent_id(), options_.now());
  if (!rows.ok()) return rpc::ToGrpc(rows.status());
  store::FreshRecords fresh;
  auto stored = store_.InsertReport(rows->archives, rows->exceptions, rows->monitors, &fresh);
  if (!stored.ok()) return rpc::ToGrpc(stored.status());
  if (options_.notifier != nullptr) {
    for (notify::Alert& alert : ReportAlerts(*req, *rows, fresh)) {
      options_.notifier->Post(std::move(alert));
    }
  }
  resp->set_stored_seq(req->seq());
  return grpc::Status::OK;
}

void MasterService::SweepOffline() {
  if (options_.now() - started_ < options_.offline_after) return;
  auto offline = store_.MarkOfflineBefore(options_.now() - options_.offline_after);
  if (!offline.ok()) {
    spdlog::warn("offline sweep failed: {}", offline.status());
    return;
  }
  if (offline->empty()) return;
  absl::MutexLock lock(&mu_);
  for (int64_t id : *offline) {
    full_state_.erase(id);
    spdlog::warn("agent {}: no heartbeat for {}, marked offline (its tasks: unknown)", id,
                 absl::FormatDuration(options_.offline_after));
    if (options_.notifier != nullptr) {
      options_.notifier->Post(OfflineAlert(id, options_.offline_after, options_.now()));
    }
  }
}

}  // namespace asgard::master
