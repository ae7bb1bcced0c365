// File: user_cache.cc
#include "web/user_cache.h"

namespace asgard::web {
namespace {

// Far more users than any deployment has; past it the cache starts over rather than grow.
constexpr size_t kMaxEntries = 10000;

}  // namespace

UserCache::UserCache(Loader load, std::chrono::milliseconds ttl, Clock now)
    : load_(std::move(load)), ttl_(ttl), now_(std::move(now)) {}

std::optional<store::User> UserCache::Peek(int64_t id) {
  absl::MutexLock lock(&mu_);
  auto it = users_.find(id);
  if (it != users_.end() && now_() - it->second.loaded_at < ttl_) return it->second.user;
  return std::nullopt;
}

absl::StatusOr<store::User> UserCache::Get(int64_t id) {
  uint64_t generation;
  {
    absl::MutexLock lock(&mu_);
    auto it = users_.find(id);
    if (it != users_.end() && now_() - it->second.loaded_at < ttl_) return it->second.user;
    generation = generation_;
  }
  auto loaded_at = now_();
  absl::StatusOr<store::User> user = load_(id);
  if (!user.ok()) return user;
  absl::MutexLock lock(&mu_);
  if (generation_ == generation) {
    if (users_.size() >= kMaxEntries) users_.clear();
    users_[id] = Entry{*user, loaded_at};
  }
  return user;
}

void UserCache::Invalidate(int64_t id) {
  absl::MutexLock lock(&mu_);
  users_.erase(id);
  ++generation_;
}

}  // namespace asgard::web
