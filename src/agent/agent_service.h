// File: agent_service.h
// The agent's gRPC service (asgard.v1.Agent), called by web nodes: list and describe tasks,
// change them, restart and trigger, and read their log files. Every handler checks the control
// credential first (a token the agent knows only by its hash, so that root on one agent host
// cannot drive the others), then does its work on the agent's loop.
//
// Thread-safety: handlers run on gRPC's threads and post to the loop.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include "agent/task_host.h"
#include "asgard/v1/agent.grpc.pb.h"
#include "common/event_loop.h"
#include "rpc/auth.h"

namespace asgard::agent {

struct AgentServiceOptions {
  std::shared_ptr<const rpc::ControlVerifier> control;  // required
  std::string version;
  int64_t started_at = 0;
  // Called by Sync: the uplink pulls the assignment now.
  std::function<void()> on_sync;
};

// One page of the agent's tasks (Agent.List and the local socket's agent status).
v1::AgentListResponse ListPage(TaskHost& host, const v1::AgentListRequest& req);

class AgentService final : public v1::Agent::Service {
 public:
  AgentService(EventLoop& loop, TaskHost& host, AgentServiceOptions options);

  grpc::Status Stat(grpc::ServerContext* ctx, const v1::StatRequest* req,
                    v1::StatResponse* resp) override;
  grpc::Status List(grpc::ServerContext* ctx, const v1::AgentListRequest* req,
                    v1::AgentListResponse* resp) override;
  grpc::Status Get(grpc::ServerContext* ctx, const v1::TaskRef* req, v1::AgentTask* resp) override;
  grpc::Status Add(grpc::ServerContext* ctx, const v1::TaskDefinition* req,
                   v1::AgentTask* resp) override;
  grpc::Status Update(grpc::ServerContext* ctx, const v1::TaskDefinition* req,
                      v1::AgentTask* resp) override;
  grpc::Status Remove(grpc::ServerContext* ctx, const v1::TaskRef* req,
                      v1::AgentTask* resp) override;
  grpc::Status Start(grpc::ServerContext* ctx, const v1::TaskRef* req,
                     v1::AgentTask* resp) override;
  grpc::Status Stop(grpc::ServerContext* ctx, const v1::TaskRef* req,
                    v1::AgentTask* resp) override;
  grpc::Status Restart(grpc::ServerContext* ctx, const v1::TaskRef* req,
                       v1::AgentTask* resp) override;
  grpc::Status Trigger(grpc::ServerContext* ctx, const v1::TaskRef* req,
                       v1::AgentTask* resp) override;
  grpc::Status Sync(grpc::ServerContext* ctx, const v1::SyncRequest* req,
                    v1::SyncResponse* resp) override;
  grpc::Status TailLog(grpc::ServerContext* ctx, const v1::LogRequest* req,
                       v1::LogLines* resp) override;
  grpc::Status FollowLog(grpc::ServerContext* ctx, const v1::LogRequest* req,
                         grpc::ServerWriter<v1::LogLines>* writer) override;

  // Ends open FollowLog streams (at shutdown).
  void Shutdown() { stopping_ = true; }

 private:
  template <typename Fn>
  grpc::Status TaskCall(grpc::ServerContext* ctx, v1::AgentTask* resp, Fn fn);
  absl::StatusOr<TaskHost::LogFile> LogPath(const v1::LogRequest& req);

  EventLoop& loop_;
  TaskHost& host_;
  const AgentServiceOptions options_;
  const std::shared_ptr<const rpc::ControlVerifier> auth_;
  std::atomic<bool> stopping_{false};
};

}  // namespace asgard::agent
