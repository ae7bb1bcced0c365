#include "web/login_throttle.h"

#include <algorithm>

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/absl_fmt.h"
#include "common/ip_address.h"
#include "spdlog/spdlog.h"

namespace asgard::web {
namespace {

using std::chrono::steady_clock;

// A name and an address as one key; the NUL cannot occur in an address.
std::string PairKey(const std::string& name, const std::string& address_key) {
  return absl::StrCat(address_key, absl::string_view("\0", 1), name);
}

// Admit in Redis, atomically. KEYS: the address's hash, the pair's. ARGV: for each key its
// free failures, first delay and cap (ms), then the quiet time after which a key is forgotten
// (ms). Returns the wait in ms, or 0 when admitted (and counted). The time is Redis's own, so
// that the nodes' clocks need not agree.
constexpr char kAdmitScript[] = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
for i = 1, 2 do
  local v = redis.call('HMGET', KEYS[i], 'f', 't')
  local f = tonumber(v[1]) or 0
  local free = tonumber(ARGV[i * 3 - 2])
  if f >= free then
    local delay = math.min(tonumber(ARGV[i * 3 - 1]) * 2 ^ math.min(f - free, 20),
                           tonumber(ARGV[i * 3]))
    local w = (tonumber(v[2]) or 0) + delay - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return math.ceil(wait) end
for i = 1, 2 do
  redis.call('HINCRBY', KEYS[i], 'f', 1)
  redis.call('HSET', KEYS[i], 't', string.format('%d', now))
  redis.call('PEXPIRE', KEYS[i], ARGV[7])
end
return 0
)lua";

// Succeeded in Redis: the pair is forgotten, the address's count taken back by one.
constexpr char kSucceededScript[] = R"lua(
redis.call('DEL', KEYS[2])
if redis.call('HINCRBY', KEYS[1], 'f', -1) <= 0 then redis.call('DEL', KEYS[1]) end
return 0
)lua";

std::string Millis(std::chrono::milliseconds d) { return std::to_string(d.count()); }

// The Redis keys of an address key and a pair key: the pair is hashed, so no user name is kept
// in Redis in clear and every key has the same length.
std::pair<std::string, std::string> RedisKeys(const std::string& address_key,
                                              const std::string& pair_key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(pair_key.data()), pair_key.size(), digest);
  return {redis::Key("login:a:" + address_key),
          redis::Key("login:n:" + absl::BytesToHexString(absl::string_view(
                                      reinterpret_cast<const char*>(digest), sizeof digest)))};
}

}  // namespace

std::string ThrottleKeyOfAddress(const std::string& address) {
  std::optional<IpAddress> ip = ParseIpAddress(address);
  if (!ip) return address.substr(0, 64);  // not an IP (a Unix socket peer): as it is, bounded
  if (!ip->v6) return FormatIpAddress(*ip);
  return FormatIpAddress(MaskIpAddress(*ip, 64)) + "/64";
}

steady_clock::duration LoginThrottle::Table::Wait(const std::string& key,
                                                  steady_clock::time_point now) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return steady_clock::duration::zero();
  const Entry& e = it->second;
  if (now - e.last_failure >= policy_.forget_after) {
    Forget(key);
    return steady_clock::duration::zero();
  }
  if (e.failures < policy_.free_failures) return steady_clock::duration::zero();
  // 2^(failures past the free ones) times the first delay, capped (the shift is bounded so the
  // multiplication cannot overflow).
  const int doublings = std::min(e.failures - policy_.free_failures, 20);
  const auto delay = std::min<steady_clock::duration>(
      policy_.first_delay * (int64_t{1} << doublings), policy_.max_delay);
  return std::max(steady_clock::duration::zero(), e.last_failure + delay - now);
}

void LoginThrottle::Table::AddFailure(const std::string& key, steady_clock::time_point now) {
  auto [it, added] = entries_.try_emplace(key);
  Entry& e = it->second;
  if (added) {
    e.in_order = by_last_failure_.insert(by_last_failure_.end(), key);
  } else {
    by_last_failure_.splice(by_last_failure_.end(), by_last_failure_, e.in_order);
  }
  ++e.failures;
  e.last_failure = now;
  while (entries_.size() > capacity_) Forget(by_last_failure_.front());
}

void LoginThrottle::Table::RemoveFailure(const std::string& key) {
  auto it = entries_.find(key);
  if (it != entries_.end() && --it->second.failures <= 0) Forget(key);
}

void LoginThrottle::Table::Forget(const std::string& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  by_last_failure_.erase(it->second.in_order);
  entries_.erase(it);
}

LoginThrottle::LoginThrottle(Clock now, size_t capacity, redis::Client* shared)
    : now_(std::move(now)),
      shared_(shared),
      by_address_(kPerAddress, capacity),
      by_name_and_address_(kPerNameAndAddress, capacity) {}

std::optional<std::chrono::seconds> LoginThrottle::Admit(const std::string& name,
                                                         const std::string& address) {
  const std::string address_key = ThrottleKeyOfAddress(address);
  const std::string pair_key = PairKey(name, address_key);
  if (shared_ != nullptr) {
    absl::StatusOr<std::chrono::milliseconds> wait = SharedAdmit(address_key, pair_key);
    if (wait.ok()) {
      if (wait->count() <= 0) return std::nullopt;
      return std::chrono::ceil<std::chrono::seconds>(*wait);
    }
    SharedFailed(wait.status());  // counted here instead, below
  }
  const steady_clock::time_point now = now_();
  absl::MutexLock lock(&mu_);
  const steady_clock::duration wait =
      std::max(by_address_.Wait(address_key, now), by_name_and_address_.Wait(pair_key, now));
  if (wait > steady_clock::duration::zero()) {
    // Rounded up: "try again in 0 s" would invite an attempt that is still refused.
    return std::chrono::ceil<std::chrono::seconds>(wait);
  }
  by_address_.AddFailure(address_key, now);
  by_name_and_address_.AddFailure(pair_key, now);
  return std::nullopt;
}

void LoginThrottle::Succeeded(const std::string& name, const std::string& address) {
  const std::string address_key = ThrottleKeyOfAddress(address);
  // Both: the attempt was counted in Redis or, when it did not answer, here.
  if (shared_ != nullptr) {
    if (absl::Status s = SharedSucceeded(address_key, PairKey(name, address_key)); !s.ok()) {
      SharedFailed(s);
    }
  }
  absl::MutexLock lock(&mu_);
  by_name_and_address_.Forget(PairKey(name, address_key));
  by_address_.RemoveFailure(address_key);
}

absl::StatusOr<std::chrono::milliseconds> LoginThrottle::SharedAdmit(
    const std::string& address_key, const std::string& pair_key) {
  auto [address_redis, pair_redis] = RedisKeys(address_key, pair_key);
  const Policy& a = kPerAddress;
  const Policy& p = kPerNameAndAddress;
  const auto forget = std::max(a.forget_after, p.forget_after);
  absl::StatusOr<redis::Reply> reply = shared_->Command(
      {"EVAL", kAdmitScript, "2", address_redis, pair_redis, std::to_string(a.free_failures),
       Millis(a.first_delay), Millis(a.max_delay), std::to_string(p.free_failures),
       Millis(p.first_delay), Millis(p.max_delay), Millis(forget)});
  if (!reply.ok()) return reply.status();
  if (reply->type != redis::Reply::Type::kInteger) {
    return absl::InternalError("redis: the login script answered no number");
  }
  shared_failing_.store(false);
  return std::chrono::milliseconds(reply->integer);
}

absl::Status LoginThrottle::SharedSucceeded(const std::string& address_key,
                                            const std::string& pair_key) {
  auto [address_redis, pair_redis] = RedisKeys(address_key, pair_key);
  return shared_->Command({"EVAL", kSucceededScript, "2", address_redis, pair_redis}).status();
}

void LoginThrottle::SharedFailed(const absl::Status& error) {
  if (!shared_failing_.exchange(true)) {
    spdlog::warn("login limits: Redis does not answer ({}); failed logins are counted by this "
                 "node alone until it does",
                 error.message());
  }
}

size_t LoginThrottle::SizeForTest() const {
  absl::MutexLock lock(&mu_);
  return by_address_.size() + by_name_and_address_.size();
}

}  // namespace asgard::web
