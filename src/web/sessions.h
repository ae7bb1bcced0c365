// File: sessions.h
// Logged-in sessions of the web console, kept in the store (Store::CreateSession and friends),
// so that every web node on the same database shares them and a restart keeps them. A session
// token is 32 random bytes (hex) followed by ".<HMAC-SHA256 of it under the web secret>", so a
// forged or altered cookie is refused before any lookup; the store keeps only the SHA-256 of
// the random part, never the token, so a copy of the table logs nobody in. Tokens expire 12 h
// after login (by default) and are revoked on logout, and every token of a user on a password
// change or when the user is forbidden: revoking deletes the row. Used as the session cookie
// and as the token of the Authorization header for scripts (TokenFromAuthorization).
//
//   Sessions sessions(store, secret);
//   ASSIGN_OR_RETURN(auto made, sessions.Create(user.id));   // {token, expires}
//   absl::StatusOr<Session> s = sessions.Check(made.first);  // Unauthenticated once revoked
//   sessions.Revoke(made.first);
//
// The cache bound. The store is the shared truth; each node keeps a session it found there for
// at most kSessionCacheTtl, so that a busy console does not read the store on every request.
// A logout or revocation made through this object removes its entries at once; one made on
// another node (or by SQL) is refused here within kSessionCacheTtl. Only sessions found are
// kept: an unknown token is asked of the store every time.
//
// With Redis (node_bus.h) each revocation is also announced (`on_revoke`), and the other nodes
// drop it from their caches at once (Forget*), so a logout is refused everywhere at once while
// Redis carries the message. The cache bound stays kSessionCacheTtl with Redis too: an
// announcement can be lost without anyone knowing (the revoking node's own link to Redis
// down, a message published while a subscriber was reconnecting), and the bound is what makes
// that safe. Looking a session up costs one indexed read per token and second, so a longer
// cache would buy little.
//
// (Failed logins are slowed down by LoginThrottle, login_throttle.h.)
//
// Thread-safety: all methods may be called from any thread. Create, Check, Revoke and
// RevokeUser read or write the store and block, so they are not for an event loop; CheckCached
// never blocks.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "store/store.h"

namespace asgard::web {

// How long a node may answer from its memory for a session it found in the store: the most a
// logout or revocation made on another web node takes to be refused here (without Redis).
// docs/config.md (web.cookie_salt) and docs/api.md state it to operators.
inline constexpr std::chrono::seconds kSessionCacheTtl{1};

// Expired sessions deleted from the store by each login, at most: every login adds one row,
// so this keeps the table at about the sessions still alive without ever a long delete.
inline constexpr int kExpiredSessionsPerLogin = 100;

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
  using WallClock = std::function<std::chrono::system_clock::time_point()>;
  using SteadyClock = std::function<std::chrono::steady_clock::time_point()>;
  // A revocation made here, once it is out of the store: the token hash of one session, or
  // (hash empty) every session of `user_id`. For announcing it to other nodes.
  using OnRevoke = std::function<void(const std::string& token_hash, int64_t user_id)>;

  // `store` must outlive this object. `now` judges expiry (wall time, as the store keeps it);
  // `steady_now` ages the cache.
  Sessions(store::Store& store, std::string secret,
           std::chrono::seconds lifetime = std::chrono::hours(12),
           WallClock now = &std::chrono::system_clock::now,
           SteadyClock steady_now = &std::chrono::steady_clock::now,
           OnRevoke on_revoke = nullptr);
  Sessions(const Sessions&) = delete;
  Sessions& operator=(const Sessions&) = delete;

  // A new signed token for the user, and when it expires (whole seconds), stored; deletes up to
  // kExpiredSessionsPerLogin expired sessions on the way.
  absl::StatusOr<std::pair<std::string, std::chrono::system_clock::time_point>> Create(
      int64_t user_id, bool forced_password_change = false) ABSL_LOCKS_EXCLUDED(mu_);
  // The session of a valid, unexpired, unrevoked token, from the cache (see the cache bound
  // above) or the store. Unauthenticated for a forged, altered, unknown, revoked or expired
  // token; the store's error (Unavailable, ...) when it cannot tell.
  absl::StatusOr<Session> Check(const std::string& token) ABSL_LOCKS_EXCLUDED(mu_);
  // What Check answers without the store: Unauthenticated for a forged or altered token, the
  // session while it is cached (unexpired); nullopt when only the store can tell.
  std::optional<absl::StatusOr<Session>> CheckCached(const std::string& token)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Deletes the session (every node refuses it within kSessionCacheTtl; this one at once).
  absl::Status Revoke(const std::string& token) ABSL_LOCKS_EXCLUDED(mu_);
  // Deletes every session of the user, as Revoke.
  absl::Status RevokeUser(int64_t user_id) ABSL_LOCKS_EXCLUDED(mu_);

  // Revocations made on another node (announced over Redis): forget the cached session of a
  // token hash, every cached session of a user, or everything (when announcements may have
  // been missed). Never blocks; the store is not touched.
  void ForgetHash(const std::string& token_hash) ABSL_LOCKS_EXCLUDED(mu_);
  void ForgetUser(int64_t user_id) ABSL_LOCKS_EXCLUDED(mu_);
  void ForgetAll() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Cached {
    Session session;
    std::chrono::steady_clock::time_point found_at;
  };

  // The hash the store keeps for a signed token, or nullopt when the signature is wrong.
  std::optional<std::string> HashOfSigned(const std::string& token) const;
  std::string Sign(const std::string& id) const;
  // The cached session of `hash` while its entry is younger than kSessionCacheTtl.
  std::optional<Session> FromCache(const std::string& hash) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Forgets cached sessions matching `drop`; loads in flight do not keep what they read.
  void Forget(const std::function<bool(const std::string&, const Cached&)>& drop)
      ABSL_LOCKS_EXCLUDED(mu_);

  store::Store& store_;
  const std::string secret_;
  const std::chrono::seconds lifetime_;
  const WallClock now_;
  const SteadyClock steady_now_;
  const OnRevoke on_revoke_;
  absl::Mutex mu_;
  std::map<std::string, Cached> cache_ ABSL_GUARDED_BY(mu_);  // by token hash
  // Bumped by every Forget: a store read keeps its result only if none happened meanwhile (it
  // may have read a row a revocation then deleted).
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

// 32 random bytes as hex (getrandom).
std::string RandomHex(size_t bytes = 32);

// The session token in an Authorization header: `Bearer <token>` (the scheme in any case), or
// the token alone, as the original's clients send it. nullopt for an empty header or another
// scheme (`Basic ...` from a proxy in front), so that the session cookie is used then.
std::optional<std::string> TokenFromAuthorization(std::string_view header);

}  // namespace asgard::web
