#include "rpc/auth.h"

#include <sodium.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "store/password.h"

namespace asgard::rpc {
namespace {

constexpr std::string_view kBearer = "Bearer ";
constexpr size_t kMinControlToken = 16;

std::string Digest(std::string_view text) {
  unsigned char out[crypto_generichash_BYTES];
  crypto_generichash(out, sizeof(out), reinterpret_cast<const unsigned char*>(text.data()),
                     text.size(), nullptr, 0);
  return std::string(reinterpret_cast<const char*>(out), sizeof(out));
}

std::string_view MetadataValue(const grpc::ServerContext& ctx, const char* key) {
  const auto& metadata = ctx.client_metadata();
  auto it = metadata.find(key);
  if (it == metadata.end()) return {};
  return std::string_view(it->second.data(), it->second.size());
}

grpc::Status Unauthenticated(const std::string& message) {
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, message);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ControlVerifier>> ControlVerifier::FromHash(
    const std::string& hash) {
  if (sodium_init() < 0) return absl::InternalError("libsodium: sodium_init failed");
  if (!absl::StartsWith(hash, "$argon2id$") || hash.size() >= crypto_pwhash_STRBYTES) {
    return absl::InvalidArgumentError(
        "rpc.control_token_hash: not an argon2id string (make one with `asgard token hash`)");
  }
  std::unique_ptr<ControlVerifier> v(new ControlVerifier());
  v->argon2id_ = hash;
  return v;
}

std::unique_ptr<ControlVerifier> ControlVerifier::FromToken(std::string_view token) {
  (void)sodium_init();
  std::unique_ptr<ControlVerifier> v(new ControlVerifier());
  v->verified_digest_ = Digest(token);
  return v;
}

bool ControlVerifier::Matches(std::string_view token) const {
  const std::string digest = Digest(token);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (verified_digest_) return ConstantTimeEquals(*verified_digest_, digest);
  }
  if (argon2id_.empty()) return false;
  std::lock_guard<std::mutex> slow(slow_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);  // verified while this call waited
    if (verified_digest_) return ConstantTimeEquals(*verified_digest_, digest);
  }
  char str[crypto_pwhash_STRBYTES] = {};
  argon2id_.copy(str, argon2id_.size());
  if (crypto_pwhash_str_verify(str, token.data(), token.size()) != 0) return false;
  std::lock_guard<std::mutex> lock(mu_);
  verified_digest_ = digest;
  return true;
}

grpc::Status ControlVerifier::CheckHeader(std::string_view header) const {
  if (header.substr(0, kBearer.size()) != kBearer) {
    return Unauthenticated("missing `authorization: Bearer <rpc.control_token>` metadata");
  }
  if (!Matches(header.substr(kBearer.size()))) {
    return Unauthenticated(
        "wrong control credential: web nodes need the rpc.control_token whose hash this agent "
        "has in rpc.control_token_hash");
  }
  return grpc::Status::OK;
}

grpc::Status ControlVerifier::CheckCall(const grpc::ServerContext& ctx) const {
  return CheckHeader(MetadataValue(ctx, kAuthMetadata));
}

absl::StatusOr<std::string> HashControlToken(std::string_view token) {
  if (token.size() < kMinControlToken) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a control token needs at least ", kMinControlToken,
        " characters (`asgard token new` makes a random one)"));
  }
  // The argon2id limits of the users' passwords.
  return store::HashPassword(absl::string_view(token.data(), token.size()));
}

std::string NewSecret() {
  (void)sodium_init();
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof(bytes));
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

std::string AgentKeyHash(std::string_view key) {
  (void)sodium_init();
  std::string digest = Digest(key);
  return absl::BytesToHexString(absl::string_view(digest.data(), digest.size()));
}

std::string AgentKeyOf(const grpc::ServerContext& ctx) {
  return std::string(MetadataValue(ctx, kAgentKeyMetadata));
}

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
  return CheckHeader(MetadataValue(ctx, kAuthMetadata));
}

void AttachToken(grpc::ClientContext& ctx, const std::string& token) {
  if (!token.empty()) ctx.AddMetadata(kAuthMetadata, std::string(kBearer) + token);
}

}  // namespace asgard::rpc
