#include "web/agent_clients.h"

#include "absl/strings/str_cat.h"
#include "rpc/auth.h"
#include "rpc/endpoint.h"
#include "rpc/grpc_status.h"

namespace asgard::web {

absl::StatusOr<std::shared_ptr<v1::Agent::Stub>> AgentClients::StubFor(const store::Agent& agent) {
  std::string target = absl::StrCat(agent.ip, ":", agent.port);
  std::lock_guard<std::mutex> lock(mu_);
  auto it = stubs_.find(target);
  if (it != stubs_.end()) return it->second;
  auto channel = rpc::DialChannel(target, config_);
  if (!channel.ok()) return channel.status();
  auto stub = std::shared_ptr<v1::Agent::Stub>(v1::Agent::NewStub(*channel));
  stubs_[target] = stub;
  return stub;
}

void AgentClients::UseChannelFor(const std::string& address,
                                 std::shared_ptr<grpc::Channel> channel) {
  std::lock_guard<std::mutex> lock(mu_);
  stubs_[address] = std::shared_ptr<v1::Agent::Stub>(v1::Agent::NewStub(std::move(channel)));
}

void AgentClients::Prepare(grpc::ClientContext& ctx, std::chrono::milliseconds timeout) const {
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  rpc::AttachToken(ctx, control_token_);
}

absl::Status AgentClients::Failed(const store::Agent& agent, const grpc::Status& s) {
  absl::Status status = rpc::FromGrpc(s);
  if (s.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    return absl::UnavailableError(absl::StrCat(
        "agent ", agent.ip, ":", agent.port, " refused this web node's control credential (",
        s.error_message(), "): set rpc.control_token on the web nodes and its hash, from "
        "`asgard token hash`, as rpc.control_token_hash on the agents"));
  }
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
      s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::UnavailableError(absl::StrCat("agent ", agent.ip, ":", agent.port,
                                               " cannot be reached: ", s.error_message()));
  }
  return status;
}

absl::StatusOr<std::unique_ptr<grpc::ClientReader<v1::LogLines>>> AgentClients::Follow(
    const store::Agent& agent, grpc::ClientContext& ctx, const v1::LogRequest& req) {
  auto stub = StubFor(agent);
  if (!stub.ok()) return stub.status();
  rpc::AttachToken(ctx, control_token_);
  return (*stub)->FollowLog(&ctx, req);
}

}  // namespace asgard::web
