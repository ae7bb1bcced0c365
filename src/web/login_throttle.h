// File: login_throttle.h
// Slows down password guessing at the login: failed attempts are counted per client address
// and per (user name, client address). Each key gets a few free failures; after them every
// further attempt must wait a delay that doubles with each failure, up to a cap, and a key
// that has been quiet for an hour starts over. Nothing is counted per name alone, so a
// stranger's failures from elsewhere never lock the administrator out.
//
// An attempt is counted as failed when it is admitted, before its password is checked, and
// taken back when it succeeds: parallel attempts cannot all pass before the first failure is
// recorded.
//
// Memory: the tables keep at most `capacity` keys each, dropping the key whose last failure is
// oldest when a new one comes (never all of them, which would lift every real slowdown); a key
// holds at most kMaxLoginNameBytes of name (the caller checks the length first). IPv6 clients
// are counted by their /64, the block one host controls.
//
//   LoginThrottle throttle;
//   if (auto wait = throttle.Admit(name, address)) return TooManyAttempts(*wait);
//   if (!PasswordMatches(...)) return WrongPassword();  // stays counted
//   throttle.Succeeded(name, address);
//
// Across web nodes: given a Redis client (component.redis.asgard), the same counts are kept in
// Redis (hashes `asgard2:login:a:<address>` and `asgard2:login:n:<SHA-256 of name and
// address>`, {f: failures, t: last failure in ms}, expiring after the quiet hour), read and
// changed by one Lua script per attempt so that nodes cannot all pass together, so a guesser
// gains nothing by spreading attempts over nodes. Nothing else is kept there: no password, no
// hash of one, no user name in clear. When Redis does not answer, the node counts in its own
// tables as without Redis, and goes back to Redis when it answers again.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "redis/client.h"

namespace asgard::web {

class LoginThrottle {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // How one kind of key slows down.
  struct Policy {
    int free_failures;                 // failures without any delay
    std::chrono::seconds first_delay;  // the wait after the last free failure; doubles after
    std::chrono::seconds max_delay;
    std::chrono::seconds forget_after;  // quiet time after which a key starts over
  };
  // 5 free failures of one name from one address; 20 from one address (several people behind
  // one NAT mistype too); then 5 s, 10 s, 20 s ... up to 15 min; forgotten after an hour.
  static constexpr Policy kPerNameAndAddress{5, std::chrono::seconds(5), std::chrono::minutes(15),
                                             std::chrono::hours(1)};
  static constexpr Policy kPerAddress{20, std::chrono::seconds(5), std::chrono::minutes(15),
                                      std::chrono::hours(1)};
  static constexpr size_t kDefaultCapacity = 20000;

  // `shared`, when given, must outlive this object.
  explicit LoginThrottle(Clock now = &std::chrono::steady_clock::now,
                         size_t capacity = kDefaultCapacity, redis::Client* shared = nullptr);
  LoginThrottle(const LoginThrottle&) = delete;
  LoginThrottle& operator=(const LoginThrottle&) = delete;

  // nullopt: the attempt may go on, and is counted as failed until Succeeded(). Otherwise how
  // long the client must wait (at least 1 s); the attempt is not counted.
  std::optional<std::chrono::seconds> Admit(const std::string& name, const std::string& address)
      ABSL_LOCKS_EXCLUDED(mu_);
  // The attempt admitted last for (name, address) was right: its failures are forgotten and the
  // address's count taken back by one.
  void Succeeded(const std::string& name, const std::string& address) ABSL_LOCKS_EXCLUDED(mu_);

  // Keys kept (both tables), for tests of the bound.
  size_t SizeForTest() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  // Failures of one kind of key; at most `capacity` keys, the one least recently failed is
  // dropped first.
  class Table {
   public:
    Table(const Policy& policy, size_t capacity) : policy_(policy), capacity_(capacity) {}
    // Time left before `key` may try again (zero: now).
    std::chrono::steady_clock::duration Wait(const std::string& key,
                                             std::chrono::steady_clock::time_point now);
    void AddFailure(const std::string& key, std::chrono::steady_clock::time_point now);
    void RemoveFailure(const std::string& key);
    void Forget(const std::string& key);
    size_t size() const { return entries_.size(); }

   private:
    struct Entry {
      int failures = 0;
      std::chrono::steady_clock::time_point last_failure;
      std::list<std::string>::iterator in_order;
    };
    const Policy policy_;
    const size_t capacity_;
    std::map<std::string, Entry> entries_;
    std::list<std::string> by_last_failure_;  // oldest first
  };

  // In Redis: the wait (zero: admitted and counted), or Redis's error.
  absl::StatusOr<std::chrono::milliseconds> SharedAdmit(const std::string& address_key,
                                                        const std::string& pair_key);
  absl::Status SharedSucceeded(const std::string& address_key, const std::string& pair_key);
  // Logs a Redis failure once per outage.
  void SharedFailed(const absl::Status& error);

  const Clock now_;
  redis::Client* const shared_;
  std::atomic<bool> shared_failing_{false};
  mutable absl::Mutex mu_;
  Table by_address_ ABSL_GUARDED_BY(mu_);
  Table by_name_and_address_ ABSL_GUARDED_BY(mu_);
};

// The key a client address is counted under: the address itself, its /64 for IPv6, and the
// IPv4 address of an IPv4-mapped IPv6 one.
std::string ThrottleKeyOfAddress(const std::string& address);

}  // namespace asgard::web
