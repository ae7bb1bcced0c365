#include "rpc/auth.h"

#include <algorithm>

namespace asgard::rpc {
namespace {

constexpr std::string_view kBearer = "Bearer ";

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  // Walk the longer length whatever the inputs, folding every difference into one value.
  size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

grpc::Status TokenAuth::CheckHeader(std::string_view header) const {
  if (token_.empty()) {
    if (header.empty()) return grpc::Status::OK;
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "this server has no rpc.token; calls must not carry one");
  }
  if (header.substr(0, kBearer.size()) != kBearer) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "missing `authorization: Bearer <rpc.token>` metadata");
  }
  if (!ConstantTimeEquals(header.substr(kBearer.size()), token_)) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "wrong rpc.token");
  }
  return grpc::Status::OK;
}

grpc::Status TokenAuth::CheckCall(const grpc::ServerContext& ctx) const {
  const auto& metadata = ctx.client_metadata();
  auto it = metadata.find(kAuthMetadata);
  if (it == metadata.end()) return CheckHeader("");
  return CheckHeader(std::string_view(it->second.data(), it->second.size()));
}

void AttachToken(grpc::ClientContext& ctx, const std::string& token) {
  if (!token.empty()) ctx.AddMetadata(kAuthMetadata, std::string(kBearer) + token);
}

}  // namespace asgard::rpc
