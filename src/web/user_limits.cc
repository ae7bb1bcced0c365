#include "web/user_limits.h"

namespace asgard::web {

UserLimits::Slot::~Slot() {
  if (counts_) owner_->Release(counts_, user_);
}

std::optional<UserLimits::Slot> UserLimits::Take(std::map<int64_t, int>* counts, int max,
                                                 int64_t user_id) {
  std::lock_guard<std::mutex> lock(mu_);
  int& held = (*counts)[user_id];
  if (held >= max) {
    if (held == 0) counts->erase(user_id);
    return std::nullopt;
  }
  ++held;
  return Slot(counts, this, user_id);
}

void UserLimits::Release(std::map<int64_t, int>* counts, int64_t user_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = counts->find(user_id);
  if (it != counts->end() && --it->second <= 0) counts->erase(it);
}

}  // namespace asgard::web
