// File: sessions.h
// Logged-in sessions of the web node. A session token is 32 random bytes (hex) followed by
// ".<HMAC-SHA256 of it under the web secret>", so a forged or altered cookie is refused before
// any lookup. Tokens expire (12 h by default) and are revoked on logout, and every token of a
// user on a password change or when the user is forbidden. Used as the session cookie and as
// the Bearer token for scripts.
//
// (Failed logins are slowed down by LoginThrottle, login_throttle.h.)
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace asgard::web {

struct Session {
  int64_t user_id = 0;
  std::chrono::system_clock::time_point expires;
};

class Sessions {
 public:
  explicit Sessions(std::string secret,
                    std::chrono::seconds lifetime = std::chrono::hours(12));

  // A new signed token for the user, and when it expires.
  std::pair<std::string, std::chrono::system_clock::time_point> Create(int64_t user_id);
  // The session of a valid, unexpired, unrevoked token.
  std::optional<Session> Check(const std::string& token);
  void Revoke(const std::string& token);
  void RevokeUser(int64_t user_id);

 private:
  std::string Sign(const std::string& id) const;

  const std::string secret_;
  const std::chrono::seconds lifetime_;
  std::mutex mu_;
  std::map<std::string, Session> sessions_;  // by token id (the part before '.')
};

// 32 random bytes as hex (getrandom).
std::string RandomHex(size_t bytes = 32);

}  // namespace asgard::web
