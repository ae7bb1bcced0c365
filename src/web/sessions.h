// File: sessions.h
// Logged-in sessions of the web node. A session token is 32 random bytes (hex) followed by
// ".<HMAC-SHA256 of it under the web secret>", so a forged or altered cookie is refused before
// any lookup. Tokens expire (12 h by default) and are revoked on logout, and every token of a
// user on a password change or when the user is forbidden. Used as the session cookie and as
// the token of the Authorization header for scripts (TokenFromAuthorization).
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
#include <string_view>

namespace asgard::web {

struct Session {
  int64_t user_id = 0;
  std::chrono::system_clock::time_point expires;
  // Made by logging in with an initial or reset password: this session may set the user's own
  // password without the old one (the original's clients send only the new one). Kept here,
  // not only on the user, so that another session of the same user never gets that right.
  bool forced_password_change = false;
};

class Sessions {
 public:
  explicit Sessions(std::string secret,
                    std::chrono::seconds lifetime = std::chrono::hours(12));

  // A new signed token for the user, and when it expires.
  std::pair<std::string, std::chrono::system_clock::time_point> Create(
      int64_t user_id, bool forced_password_change = false);
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

// The session token in an Authorization header: `Bearer <token>` (the scheme in any case), or
// the token alone, as the original's clients send it. nullopt for an empty header or another
// scheme (`Basic ...` from a proxy in front), so that the session cookie is used then.
std::optional<std::string> TokenFromAuthorization(std::string_view header);

}  // namespace asgard::web
