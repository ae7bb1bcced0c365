#include "web/sessions.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <sys/random.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/absl_fmt.h"
#include "rpc/auth.h"
#include "spdlog/spdlog.h"

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

// More sessions than any deployment has live within kSessionCacheTtl; past it the cache starts
// over rather than grow.
constexpr size_t kMaxCachedSessions = 10000;

absl::Status NotLoggedIn() {
  return absl::UnauthenticatedError("not logged in (or the session expired)");
}

std::string Sha256Hex(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return Hex(digest, sizeof digest);
}

// Whole seconds, as the store keeps times.
std::chrono::system_clock::time_point FloorToSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::floor<std::chrono::seconds>(t);
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

Sessions::Sessions(store::Store& store, std::string secret, std::chrono::seconds lifetime,
                   WallClock now, SteadyClock steady_now, OnRevoke on_revoke)
    : store_(store),
      secret_(std::move(secret)),
      lifetime_(lifetime),
      now_(std::move(now)),
      steady_now_(std::move(steady_now)),
      on_revoke_(std::move(on_revoke)) {}

std::string Sessions::Sign(const std::string& id) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(id.data()), id.size(), mac, &len);
  return Hex(mac, len);
}

std::optional<std::string> Sessions::HashOfSigned(const std::string& token) const {
  auto dot = token.find('.');
  if (dot == std::string::npos) return std::nullopt;
  std::string id = token.substr(0, dot);
  if (!rpc::ConstantTimeEquals(token.substr(dot + 1), Sign(id))) return std::nullopt;
  return Sha256Hex(id);
}

absl::StatusOr<std::pair<std::string, std::chrono::system_clock::time_point>> Sessions::Create(
    int64_t user_id, bool forced_password_change) {
  const auto now = now_();
  // Expired sessions go when new ones come, a few at a time, so the table stays about as small
  // as the live ones. Failing to clean is no reason to refuse the login.
  if (auto cleaned = store_.DeleteExpiredSessions(absl::FromChrono(now), kExpiredSessionsPerLogin);
      !cleaned.ok()) {
    spdlog::warn("web sessions: deleting expired sessions: {}", cleaned.status().message());
  }
  std::string id = RandomHex();
  const auto expires = FloorToSeconds(now + lifetime_);
  store::WebSession row{Sha256Hex(id), user_id, forced_password_change,
                        absl::FromChrono(FloorToSeconds(now)), absl::FromChrono(expires)};
  if (absl::Status s = store_.CreateSession(row); !s.ok()) return s;
  return std::pair{absl::StrCat(id, ".", Sign(id)), expires};
}

std::optional<Session> Sessions::FromCache(const std::string& hash) {
  auto it = cache_.find(hash);
  if (it == cache_.end() || steady_now_() - it->second.found_at >= kSessionCacheTtl) {
    return std::nullopt;
  }
  return it->second.session;
}

std::optional<absl::StatusOr<Session>> Sessions::CheckCached(const std::string& token) {
  std::optional<std::string> hash = HashOfSigned(token);
  if (!hash) return absl::StatusOr<Session>(NotLoggedIn());
  absl::MutexLock lock(&mu_);
  std::optional<Session> cached = FromCache(*hash);
  if (!cached) return std::nullopt;
  if (now_() >= cached->expires) return absl::StatusOr<Session>(NotLoggedIn());
  return absl::StatusOr<Session>(*cached);
}

absl::StatusOr<Session> Sessions::Check(const std::string& token) {
  if (auto cached = CheckCached(token)) return *std::move(cached);
  std::optional<std::string> hash = HashOfSigned(token);  // signed: CheckCached said so
  uint64_t generation;
  {
    absl::MutexLock lock(&mu_);
    generation = generation_;
  }
  const auto found_at = steady_now_();
  absl::StatusOr<store::WebSession> row = store_.GetSession(*hash);
  if (absl::IsNotFound(row.status())) return NotLoggedIn();
  if (!row.ok()) return row.status();
  Session session{row->user_id, absl::ToChronoTime(row->expires_at), row->forced_password_change};
  if (now_() >= session.expires) return NotLoggedIn();  // the cleaning on login deletes it
  absl::MutexLock lock(&mu_);
  if (generation_ == generation) {
    if (cache_.size() >= kMaxCachedSessions) cache_.clear();
    cache_[*hash] = Cached{session, found_at};
  }
  return session;
}

void Sessions::Forget(const std::function<bool(const std::string&, const Cached&)>& drop) {
  absl::MutexLock lock(&mu_);
  for (auto it = cache_.begin(); it != cache_.end();) {
    it = drop(it->first, it->second) ? cache_.erase(it) : std::next(it);
  }
  ++generation_;
}

absl::Status Sessions::Revoke(const std::string& token) {
  // By the random part alone, as before: Route checked the token's signature before the logout
  // ran, and an unsigned token names no stored session anyway.
  const std::string hash = Sha256Hex(token.substr(0, token.find('.')));
  absl::Status deleted = store_.DeleteSession(hash);
  // After the delete, so that a store read that began before it cannot cache the row again.
  ForgetHash(hash);
  // Announced even when the delete failed: a node that drops a session it could still use
  // only reads the store again.
  if (on_revoke_) on_revoke_(hash, 0);
  return deleted;
}

absl::Status Sessions::RevokeUser(int64_t user_id) {
  absl::Status deleted = store_.DeleteUserSessions(user_id);
  ForgetUser(user_id);
  if (on_revoke_) on_revoke_("", user_id);
  return deleted;
}

void Sessions::ForgetHash(const std::string& token_hash) {
  Forget([&token_hash](const std::string& h, const Cached&) { return h == token_hash; });
}

void Sessions::ForgetUser(int64_t user_id) {
  Forget([user_id](const std::string&, const Cached& c) { return c.session.user_id == user_id; });
}

void Sessions::ForgetAll() {
  Forget([](const std::string&, const Cached&) { return true; });
}

}  // namespace asgard::web
