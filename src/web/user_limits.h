// File: user_limits.h
// What one user may hold at once on the web node: requests being handled (so that one script
// in a loop, or a user's many tabs, cannot take every worker from everyone else) and open live
// streams (each keeps an agent follow or a store poll going). A slot is held while its Slot
// object lives; a user at the limit gets none (the route answers 429).
//
//   auto slot = limits.TakeRequest(user.id);
//   if (!slot) return Fail(429, ...);
//
// Thread-safety: thread-safe; a Slot may be released on any thread.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>

namespace asgard::web {

class UserLimits {
 public:
  // 0 streams: no live streams at all.
  UserLimits(int max_requests, int max_streams)
      : max_requests_(max_requests), max_streams_(max_streams) {}
  UserLimits(const UserLimits&) = delete;
  UserLimits& operator=(const UserLimits&) = delete;

  class Slot {
   public:
    Slot(Slot&& other) noexcept : counts_(other.counts_), owner_(other.owner_), user_(other.user_) {
      other.counts_ = nullptr;
    }
    Slot& operator=(Slot&&) = delete;
    ~Slot();

   private:
    friend class UserLimits;
    Slot(std::map<int64_t, int>* counts, UserLimits* owner, int64_t user)
        : counts_(counts), owner_(owner), user_(user) {}
    std::map<int64_t, int>* counts_;
    UserLimits* owner_;
    int64_t user_;
  };

  std::optional<Slot> TakeRequest(int64_t user_id) { return Take(&requests_, max_requests_, user_id); }
  std::optional<Slot> TakeStream(int64_t user_id) { return Take(&streams_, max_streams_, user_id); }

 private:
  std::optional<Slot> Take(std::map<int64_t, int>* counts, int max, int64_t user_id);
  void Release(std::map<int64_t, int>* counts, int64_t user_id);

  const int max_requests_;
  const int max_streams_;
  mutable std::mutex mu_;
  std::map<int64_t, int> requests_;
  std::map<int64_t, int> streams_;
};

}  // namespace asgard::web
