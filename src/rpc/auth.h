// File: auth.h
// The credentials of the RPC calls (SPEC 5), checked in one place per service:
//   - agents -> master: `authorization: Bearer <rpc.token>` (TokenAuth, shared by the agents)
//     plus the agent's own key in `x-asgard-agent-key` (AgentKeyHash: the master keeps the hash
//     an ip:port first registered with and accepts calls for that agent only with that key);
//   - web and master -> agent (control calls): `authorization: Bearer <rpc.control_token>`,
//     which agents never hold: they keep its argon2id hash (ControlVerifier).
// Comparisons are constant-time. TLS / mutual TLS come from rpc.tls (endpoint.h) and are
// independent of the tokens.
//
//   grpc::Status MasterImpl::Heartbeat(grpc::ServerContext* ctx, ...) {
//     if (auto s = auth_.CheckCall(*ctx); !s.ok()) return s;
//     ...
//   }
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"

namespace asgard::rpc {

inline constexpr char kAuthMetadata[] = "authorization";
inline constexpr char kAgentKeyMetadata[] = "x-asgard-agent-key";

class TokenAuth {
 public:
  // An empty token accepts only calls that also carry no token; roles without a token listen
  // on 127.0.0.1 only (SPEC.md section 5).
  explicit TokenAuth(std::string token) : token_(std::move(token)) {}

  // OK, or UNAUTHENTICATED with a message that does not reveal the expected token.
  grpc::Status CheckCall(const grpc::ServerContext& ctx) const;
  // The check itself on the metadata value ("" when absent).
  grpc::Status CheckHeader(std::string_view header) const;

  bool enabled() const { return !token_.empty(); }

 private:
  std::string token_;
};

// The control credential as an agent checks it: from rpc.control_token_hash (an argon2id string,
// made by `asgard token hash`), or from the token itself when the agent shares a host with the
// web node (the generated runtime/control.token; only a digest is kept). A token verified once
// is remembered as a BLAKE2b digest, so later calls cost a hash, not an argon2id check; failed
// checks run one at a time, so that a flood of wrong tokens costs one core at most.
//
// Thread-safety: CheckCall may be called from any thread.
class ControlVerifier {
 public:
  // InvalidArgument when `hash` is not an argon2id string.
  static absl::StatusOr<std::unique_ptr<ControlVerifier>> FromHash(const std::string& hash);
  static std::unique_ptr<ControlVerifier> FromToken(std::string_view token);

  grpc::Status CheckCall(const grpc::ServerContext& ctx) const;
  grpc::Status CheckHeader(std::string_view header) const;

 private:
  ControlVerifier() = default;
  bool Matches(std::string_view token) const;

  std::string argon2id_;  // "" when built from the token
  mutable std::mutex mu_;
  mutable std::optional<std::string> verified_digest_;  // guarded by mu_
  mutable std::mutex slow_mu_;  // one argon2id check at a time
};

// The argon2id string of a control token, for rpc.control_token_hash; InvalidArgument for a
// token shorter than 16 characters.
absl::StatusOr<std::string> HashControlToken(std::string_view token);
// 32 random bytes as 64 hex digits (new tokens and agent keys).
std::string NewSecret();
// Hex BLAKE2b-256 of an agent key, as agents.key_hash stores it.
std::string AgentKeyHash(std::string_view key);
// The agent key metadata of a call ("" when absent).
std::string AgentKeyOf(const grpc::ServerContext& ctx);

// Adds `authorization: Bearer <token>` to an outgoing call (nothing for an empty token).
void AttachToken(grpc::ClientContext& ctx, const std::string& token);

// Constant-time equality, so the time of a failed check says nothing about the token.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace asgard::rpc
