#include "master/master_service.h"

#include "absl/strings/str_cat.h"
#include "common/absl_fmt.h"
#include "master/report_alerts.h"
#include "master/report_convert.h"
#include "rpc/grpc_status.h"
#include "rpc/task_definition.h"
#include "spdlog/spdlog.h"

namespace asgard::master {
namespace {

#define ASGARD_CHECK_TOKEN(ctx)                                 \
  if (grpc::Status s = auth_.CheckCall(*(ctx)); !s.ok()) return s

grpc::Status Invalid(const std::string& message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message);
}

// The store's own failures, as opposed to answers about the caller's request.
bool StoreFault(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kOk:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return false;
    default:
      return true;
  }
}

// (kind, id) of a task, in the order of rpc::AssignmentOrder.
std::pair<int, int64_t> OrderKey(store::TaskKind kind, int64_t id) {
  return {static_cast<int>(kind), id};
}

}  // namespace

MasterService::MasterService(store::Store& store, MasterOptions options)
    : store_(store),
      options_(std::move(options)),
      auth_(options_.token),
      started_(options_.now()) {}

const absl::Status& MasterService::NoteStore(const absl::Status& s) {
  if (StoreFault(s)) counters_.store_errors.fetch_add(1, std::memory_order_relaxed);
  return s;
}

grpc::Status MasterService::CheckAgent(const grpc::ServerContext& ctx, int64_t agent_id) {
  if (agent_id <= 0) return Invalid("agent_id must be > 0 (register first)");
  const std::string given = rpc::AgentKeyHash(rpc::AgentKeyOf(ctx));
  std::string known;
  {
    absl::MutexLock lock(&mu_);
    auto it = key_hashes_.find(agent_id);
    if (it != key_hashes_.end()) known = it->second;
  }
  if (known.empty() || !rpc::ConstantTimeEquals(known, given)) {
    // Unknown here, or changed by a registration another master took: the store decides.
    auto agent = store_.GetAgent(agent_id);
    if (!agent.ok()) return rpc::ToGrpc(NoteStore(agent.status()));
    known = agent->key_hash;
    if (known.empty()) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "register again (no agent key on record)");
    }
    absl::MutexLock lock(&mu_);
    key_hashes_[agent_id] = known;
  }
  if (!rpc::ConstantTimeEquals(known, given)) {
    spdlog::warn("a call for agent {} with another agent's key was refused", agent_id);
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "this agent key does not belong to that agent id");
  }
  return grpc::Status::OK;
}

grpc::Status MasterService::Register(grpc::ServerContext* ctx, const v1::RegisterRequest* req,
                                     v1::RegisterResponse* resp) {
  ASGARD_CHECK_TOKEN(ctx);
  if (req->ip().empty()) return Invalid("ip is empty");
  if (req->port() <= 0 || req->port() > 65535) return Invalid("port must be 1-65535");
  const std::string key = rpc::AgentKeyOf(*ctx);
  if (key.size() < 32) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "missing x-asgard-agent-key metadata (the agent's own key)");
  }
  store::AgentRegistration reg{req->ip(), std::to_string(req->port()), options_.name,
                               req->uuid(), req->pid(), rpc::AgentKeyHash(key)};
  auto agent = store_.RegisterAgent(reg, options_.now());
  if (!agent.ok()) {
    NoteStore(agent.status());
    if (absl::IsPermissionDenied(agent.status())) {
      spdlog::warn("registration refused: {}", agent.status().message());
    }
    return rpc::ToGrpc(agent.status());
  }
  {
    absl::MutexLock lock(&mu_);
    full_state_.erase(agent->id);
    key_hashes_[agent->id] = agent->key_hash;
  }
  spdlog::info("agent {} registered from {}:{} (pid {}){}", agent->id, req->ip(), req->port(),
               req->pid(), agent->forbidden() ? ", forbidden" : "");
  resp->set_agent_id(agent->id);
  resp->set_forbidden(agent->forbidden());
  resp->set_assignment_version(agent->assignment_version);
  resp->set_heartbeat_interval(options_.heartbeat_interval_s);
  counters_.registrations.fetch_add(1, std::memory_order_relaxed);
  return grpc::Status::OK;
}

grpc::Status MasterService::Heartbeat(grpc::ServerContext* ctx, const v1::HeartbeatRequest* req,
                                      v1::HeartbeatResponse* resp) {
  ASGARD_CHECK_TOKEN(ctx);
  if (auto s = CheckAgent(*ctx, req->agent_id()); !s.ok()) return s;
  absl::Time now = options_.now();
  auto agent = store_.Heartbeat(req->agent_id(), now);
  if (!agent.ok()) return rpc::ToGrpc(NoteStore(agent.status()));
  if (req->tasks_size() > 0 && !agent->forbidden()) {
    auto reports = ToObservedReports(req->tasks());
    if (auto s = store_.RecordObserved(req->agent_id(), reports, now); !s.ok()) {
      return rpc::ToGrpc(NoteStore(s));
    }
  }
  bool have_full;
  {
    absl::MutexLock lock(&mu_);
    if (req->full() && !req->more()) full_state_.insert(req->agent_id());
    have_full = req->more() || full_state_.count(req->agent_id()) > 0;
  }
  resp->set_assignment_version(agent->assignment_version);
  resp->set_forbidden(agent->forbidden());
  resp->set_send_full(!have_full);
  counters_.heartbeats.fetch_add(1, std::memory_order_relaxed);
  return grpc::Status::OK;
}

grpc::Status MasterService::PullAssignment(grpc::ServerContext* ctx,
                                           const v1::PullAssignmentRequest* req,
                                           v1::Assignment* resp) {
  ASGARD_CHECK_TOKEN(ctx);
  if (auto s = CheckAgent(*ctx, req->agent_id()); !s.ok()) return s;
  auto agent = store_.GetAgent(req->agent_id());
  if (!agent.ok()) return rpc::ToGrpc(NoteStore(agent.status()));
  resp->set_agent_id(agent->id);
  if (agent->forbidden()) {
    // A forbidden agent runs nothing: an empty assignment at the current version.
    resp->set_version(agent->assignment_version);
    return grpc::Status::OK;
  }
  auto assignment = store_.GetAssignment(req->agent_id());
  if (!assignment.ok()) return rpc::ToGrpc(NoteStore(assignment.status()));
  resp->set_version(assignment->version);
  if (req->has_after() && req->version() != assignment->version) {
    return grpc::Status(grpc::StatusCode::ABORTED,
                        "the assignment changed while it was paged: pull it again");
  }
  const auto after = OrderKey(static_cast<store::TaskKind>(req->after().kind()), req->after().id());
  rpc::OwnerRoles roles(store_);
  size_t bytes = 0;
  for (const store::Task* task : rpc::AssignmentOrder(*assignment)) {
    if (req->has_after() && OrderKey(task->kind, task->id) <= after) continue;
    if (resp->tasks_size() >= kAssignmentPageTasks || bytes >= kAssignmentPageBytes) {
      resp->set_more(true);
      break;
    }
    v1::TaskDefinition* def = resp->add_tasks();
    *def = rpc::ToDefinition(*task, roles.Of(task->creator));
    bytes += def->ByteSizeLong();
  }
  return grpc::Status::OK;
}

grpc::Status MasterService::Report(grpc::ServerContext* ctx, const v1::ReportBatch* req,
                                   v1::ReportAck* resp) {
  ASGARD_CHECK_TOKEN(ctx);
  if (auto s = CheckAgent(*ctx, req->agent_id()); !s.ok()) return s;
  auto rows = ToReportRows(*req, req->agent_id(), options_.now());
  if (!rows.ok()) return rpc::ToGrpc(rows.status());
  store::FreshRecords fresh;
  auto stored = store_.InsertReport(rows->archives, rows->exceptions, rows->monitors, &fresh);
  if (!stored.ok()) return rpc::ToGrpc(NoteStore(stored.status()));
  counters_.report_batches.fetch_add(1, std::memory_order_relaxed);
  counters_.monitors.fetch_add(req->monitors_size(), std::memory_order_relaxed);
  counters_.archives.fetch_add(req->archives_size(), std::memory_order_relaxed);
  counters_.exceptions.fetch_add(req->exceptions_size(), std::memory_order_relaxed);
  counters_.records_stored.fetch_add(*stored, std::memory_order_relaxed);
  if (options_.notifier != nullptr) {
    for (notify::Alert& alert : ReportAlerts(*req, *rows, fresh)) {
      options_.notifier->Post(std::move(alert));
    }
  }
  resp->set_stored_seq(req->seq());
  return grpc::Status::OK;
}

void MasterService::SweepOffline(const store::LeaderFence* fence) {
  if (options_.now() - started_ < options_.offline_after) return;
  const absl::Time cutoff = options_.now() - options_.offline_after;
  auto offline = fence != nullptr ? store_.MarkOfflineBefore(cutoff, *fence)
                                  : store_.MarkOfflineBefore(cutoff);
  if (!offline.ok()) {
    NoteStore(offline.status());
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
