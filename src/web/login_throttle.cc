#include "web/login_throttle.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/ip_address.h"

namespace asgard::web {
namespace {

using std::chrono::steady_clock;

// A name and an address as one key; the NUL cannot occur in an address.
std::string PairKey(const std::string& name, const std::string& address_key) {
  return absl::StrCat(address_key, absl::string_view("\0", 1), name);
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

LoginThrottle::LoginThrottle(Clock now, size_t capacity)
    : now_(std::move(now)),
      by_address_(kPerAddress, capacity),
      by_name_and_address_(kPerNameAndAddress, capacity) {}

std::optional<std::chrono::seconds> LoginThrottle::Admit(const std::string& name,
                                                         const std::string& address) {
  const std::string address_key = ThrottleKeyOfAddress(address);
  const std::string pair_key = PairKey(name, address_key);
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
  absl::MutexLock lock(&mu_);
  by_name_and_address_.Forget(PairKey(name, address_key));
  by_address_.RemoveFailure(address_key);
}

size_t LoginThrottle::SizeForTest() const {
  absl::MutexLock lock(&mu_);
  return by_address_.size() + by_name_and_address_.size();
}

}  // namespace asgard::web
