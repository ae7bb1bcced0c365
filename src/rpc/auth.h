// File: auth.h
// The shared secret of web, master and agents (`rpc.token`): servers check the
// `authorization: Bearer <token>` metadata of every call in one place (CheckCall), clients add
// it (AttachToken). Comparison is constant-time. TLS / mutual TLS come from rpc.tls (see
// credentials.h) and are independent of the token.
//
//   grpc::Status MasterImpl::Heartbeat(grpc::ServerContext* ctx, ...) {
//     if (auto s = auth_.CheckCall(*ctx); !s.ok()) return s;
//     ...
//   }
#pragma once

#include <string>
#include <string_view>

#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"

namespace asgard::rpc {

inline constexpr char kAuthMetadata[] = "authorization";

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

// Adds `authorization: Bearer <token>` to an outgoing call (nothing for an empty token).
void AttachToken(grpc::ClientContext& ctx, const std::string& token);

// Constant-time equality, so the time of a failed check says nothing about the token.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace asgard::rpc
