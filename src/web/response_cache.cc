#include "web/response_cache.h"

namespace asgard::web {
namespace {

// Pages of every filter a few consoles use at once; past it the cache starts over rather than
// grow (at most ~256 MiB if every text were 1 MiB, a few MiB in practice).
constexpr size_t kMaxEntries = 256;
constexpr size_t kMaxTextBytes = 1 << 20;

}  // namespace

ResponseCache::ResponseCache(std::chrono::milliseconds ttl, Clock now)
    : ttl_(ttl), now_(std::move(now)) {}

ResponseCache::Text ResponseCache::Get(const std::string& key, uint64_t writes) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  if (it->second.writes != writes || now_() - it->second.made_at >= ttl_) {
    entries_.erase(it);
    return nullptr;
  }
  return it->second.text;
}

void ResponseCache::Put(const std::string& key, uint64_t writes, std::string text) {
  if (text.size() > kMaxTextBytes) return;
  auto shared = std::make_shared<const std::string>(std::move(text));
  absl::MutexLock lock(&mu_);
  if (entries_.size() >= kMaxEntries && entries_.find(key) == entries_.end()) entries_.clear();
  entries_.insert_or_assign(key, Entry{writes, now_(), std::move(shared)});
}

}  // namespace asgard::web
