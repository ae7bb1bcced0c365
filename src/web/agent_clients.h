// File: agent_clients.h
// The web node's gRPC clients to agents: one channel per agent address (ip:port from the
// store), the control token (rpc.control_token, or the host's generated one) and TLS of rpc.*,
// a deadline on every unary call. A failed call is Unavailable naming the agent, so the API can
// say which agent it could not reach, and which key to set when the agent refused the token.
//
//   ASSIGN_OR_RETURN(v1::AgentTask t, clients.Push(agent, &v1::Agent::Stub::Start, ref));
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "asgard/v1/agent.grpc.pb.h"
#include "config/config.h"
#include "store/records.h"

namespace asgard::web {

class AgentClients {
 public:
  // `control_token`: what every call presents (credentials.h ControlToken).
  AgentClients(const config::Config& config, std::string control_token)
      : config_(config), control_token_(std::move(control_token)) {}

  template <typename Req, typename Resp>
  using Method = grpc::Status (v1::Agent::Stub::*)(grpc::ClientContext*, const Req&, Resp*);

  template <typename Req, typename Resp>
  absl::StatusOr<Resp> Call(const store::Agent& agent, Method<Req, Resp> method, const Req& req,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    auto stub = StubFor(agent);
    if (!stub.ok()) return stub.status();
    grpc::ClientContext ctx;
    Prepare(ctx, timeout);
    Resp resp;
    grpc::Status s = ((*stub).get()->*method)(&ctx, req, &resp);
    if (!s.ok()) return Failed(agent, s);
    return resp;
  }

  // Calls to the agent at `address` (ip:port) go through `channel` (`asgard all`'s own agent,
  // in process).
  void UseChannelFor(const std::string& address, std::shared_ptr<grpc::Channel> channel);

  // A follow stream of a task's log; the caller owns `ctx` (TryCancel ends the stream).
  absl::StatusOr<std::unique_ptr<grpc::ClientReader<v1::LogLines>>> Follow(
      const store::Agent& agent, grpc::ClientContext& ctx, const v1::LogRequest& req);

 private:
  absl::StatusOr<std::shared_ptr<v1::Agent::Stub>> StubFor(const store::Agent& agent);
  void Prepare(grpc::ClientContext& ctx, std::chrono::milliseconds timeout) const;
  static absl::Status Failed(const store::Agent& agent, const grpc::Status& s);

  const config::Config& config_;
  const std::string control_token_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<v1::Agent::Stub>> stubs_;  // by ip:port
};

}  // namespace asgard::web
