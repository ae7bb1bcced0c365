#include "notify/throttle.h"

namespace asgard::notify {
namespace {

constexpr size_t kRunsRemembered = 4096;

}  // namespace

bool AlertThrottle::FirstOfRun(const std::string& run_uuid) {
  if (run_uuid.empty()) return true;
  if (!runs_seen_.insert(run_uuid).second) return false;
  runs_order_.push_back(run_uuid);
  if (runs_order_.size() > kRunsRemembered) {
    runs_seen_.erase(runs_order_.front());
    runs_order_.pop_front();
  }
  return true;
}

std::optional<Outgoing> AlertThrottle::Offer(const Alert& alert, absl::Time now) {
  if (!FirstOfRun(alert.run_uuid)) return std::nullopt;
  if (window_ <= absl::ZeroDuration()) return Outgoing{alert, 0, now};
  auto it = windows_.find(alert.Key());
  if (it == windows_.end() || now - it->second.opened >= window_) {
    if (it != windows_.end() && it->second.held > 0) {
      // Its summary is due but not sent yet: count this one in it rather than lose it.
      ++it->second.held;
      it->second.last = alert;
      return std::nullopt;
    }
    windows_[alert.Key()] = Window{now, 0, {}};
    return Outgoing{alert, 0, now};
  }
  ++it->second.held;
  it->second.last = alert;
  return std::nullopt;
}

std::vector<Outgoing> AlertThrottle::Due(absl::Time now) {
  std::vector<Outgoing> due;
  for (auto it = windows_.begin(); it != windows_.end();) {
    Window& w = it->second;
    if (now - w.opened < window_) {
      ++it;
      continue;
    }
    if (w.held == 0) {
      it = windows_.erase(it);  // a quiet window: the next alert goes at once
      continue;
    }
    due.push_back(Outgoing{w.last, w.held, w.opened});
    w = Window{now, 0, {}};
    ++it;
  }
  return due;
}

}  // namespace asgard::notify
