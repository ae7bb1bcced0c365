// File: user_cache.h
// The users behind the sessions of a web node, kept for a short while so that a request does
// not read its user from the store every time. Every change to a user made through this node
// (password, role, status, profile, logout) calls Invalidate(id) once it is stored, and the
// next request reads the user again; a change made elsewhere (another web node, the CLI, SQL)
// is seen once the entry is older than the TTL (1 s by default).
//
//   UserCache users([&store](int64_t id) { return store.GetUser(id); });
//   absl::StatusOr<store::User> user = users.Get(session->user_id);
//   ...store.SetUserStatus(id, -1); users.Invalidate(id);
//
// Errors of the loader (NotFound, Unavailable) are returned and not kept. A load that started
// before an Invalidate does not keep what it read (it may predate the change).
//
// Thread-safety: all methods may be called from any thread; the loader runs outside the lock.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "store/records.h"

namespace asgard::web {

class UserCache {
 public:
  using Loader = std::function<absl::StatusOr<store::User>(int64_t)>;
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  explicit UserCache(Loader load, std::chrono::milliseconds ttl = std::chrono::seconds(1),
                     Clock now = &std::chrono::steady_clock::now);
  UserCache(const UserCache&) = delete;
  UserCache& operator=(const UserCache&) = delete;

  // The user, from the cache while its entry is younger than the TTL, else from the loader.
  absl::StatusOr<store::User> Get(int64_t id) ABSL_LOCKS_EXCLUDED(mu_);
  // The user while its entry is younger than the TTL; none otherwise (nothing is loaded).
  std::optional<store::User> Peek(int64_t id) ABSL_LOCKS_EXCLUDED(mu_);
  // Forgets the user; loads in flight do not store what they read.
  void Invalidate(int64_t id) ABSL_LOCKS_EXCLUDED(mu_);

 private:
  struct Entry {
    store::User user;
    std::chrono::steady_clock::time_point loaded_at;
  };

  const Loader load_;
  const std::chrono::milliseconds ttl_;
  const Clock now_;
  absl::Mutex mu_;
  std::map<int64_t, Entry> users_ ABSL_GUARDED_BY(mu_);
  // Bumped by every Invalidate: a load keeps its result only if none happened meanwhile.
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace asgard::web
