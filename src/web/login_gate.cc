#include "web/login_gate.h"

namespace asgard::web {

LoginGate::LoginGate(FindUser find_user, LoginThrottle::Clock now, size_t max_parallel_checks,
                     redis::Client* shared)
    : find_user_(std::move(find_user)),
      throttle_(std::move(now), LoginThrottle::kDefaultCapacity, shared),
      credentials_(max_parallel_checks) {}

LoginOutcome LoginGate::Attempt(const std::string& name, std::string_view password,
                                const std::string& client_address) {
  LoginOutcome out;
  if (std::optional<std::chrono::seconds> wait = throttle_.Admit(name, client_address)) {
    out.result = LoginResult::kSlowedDown;
    out.retry_after = *wait;
    return out;
  }
  absl::StatusOr<store::User> user = find_user_(name);
  store::PasswordCheck check = credentials_.Verify(user, password);
  if (!check.ok) return out;  // counted by Admit; an unknown name costs the same
  if (user->status != 1) {
    // The right password of an account that may not log in: it stays counted as a failure.
    out.result = user->status == 0 ? LoginResult::kNotVerified : LoginResult::kForbidden;
    return out;
  }
  throttle_.Succeeded(name, client_address);
  out.result = LoginResult::kOk;
  out.rehash = check.rehash;
  out.user = std::move(*user);
  return out;
}

}  // namespace asgard::web
