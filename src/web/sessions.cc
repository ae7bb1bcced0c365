#include "web/sessions.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/random.h>

#include "absl/strings/ascii.h"
#include "rpc/auth.h"

namespace asgard::web {
namespace {

std::string Hex(const unsigned char* data, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out.push_back(digits[data[i] >> 4]);
    out.push_back(digits[data[i] & 15]);
  }
  return out;
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::string> TokenFromAuthorization(std::string_view header) {
  std::string_view value = Trim(header);
  if (value.empty()) return std::nullopt;
  size_t space = value.find_first_of(" \t");
  if (space == std::string_view::npos) return std::string(value);  // a bare token
  std::string_view scheme = value.substr(0, space);
  if (absl::AsciiStrToLower(std::string(scheme)) != "bearer") return std::nullopt;
  std::string_view token = Trim(value.substr(space));
  if (token.empty()) return std::nullopt;
  return std::string(token);
}

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  size_t done = 0;
  while (done < bytes) {
    ssize_t n = getrandom(raw.data() + done, bytes - done, 0);
    if (n > 0) done += static_cast<size_t>(n);
  }
  return Hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

Sessions::Sessions(std::string secret, std::chrono::seconds lifetime)
    : secret_(std::move(secret)), lifetime_(lifetime) {}

std::string Sessions::Sign(const std::string& id) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(id.data()), id.size(), mac, &len);
  return Hex(mac, len);
}

std::pair<std::string, std::chrono::system_clock::time_point> Sessions::Create(
    int64_t user_id, bool forced_password_change) {
  std::string id = RandomHex();
  auto expires = std::chrono::system_clock::now() + lifetime_;
  std::lock_guard<std::mutex> lock(mu_);
  // Expired sessions go when new ones come, so the map stays as small as the live ones.
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.expires < std::chrono::system_clock::now() ? sessions_.erase(it) : ++it;
  }
  sessions_[id] = Session{user_id, expires, forced_password_change};
  return {id + "." + Sign(id), expires};
}

std::optional<Session> Sessions::Check(const std::string& token) {
  auto dot = token.find('.');
  if (dot == std::string::npos) return std::nullopt;
  std::string id = token.substr(0, dot);
  if (!rpc::ConstantTimeEquals(token.substr(dot + 1), Sign(id))) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires < std::chrono::system_clock::now()) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void Sessions::Revoke(const std::string& token) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(token.substr(0, token.find('.')));
}

void Sessions::RevokeUser(int64_t user_id) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    it = it->second.user_id == user_id ? sessions_.erase(it) : ++it;
  }
}

}  // namespace asgard::web
