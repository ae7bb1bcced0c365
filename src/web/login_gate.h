// File: login_gate.h
// What a login attempt comes to, decided without HTTP: slowed down (LoginThrottle), a wrong
// name or password (the same answer, after the same work, for both: CredentialCheck), an
// account that may not log in, or the user. A forbidden or unverified account answers like a
// wrong password until the password is right, so its state tells a guesser nothing.
//
//   LoginGate gate([&store](const std::string& name) { return FindByLogin(store, name); });
//   LoginOutcome out = gate.Attempt(name, password, client_address);
//   switch (out.result) { case LoginResult::kOk: ... }
//
// Thread-safety: Attempt may be called from any thread; `find_user` must allow that too.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "store/records.h"
#include "web/credential_check.h"
#include "web/login_throttle.h"

namespace asgard::web {

enum class LoginResult {
  kOk,
  kWrongNameOrPassword,  // 401, the same for an unknown name
  kSlowedDown,           // 429 with Retry-After: too many recent failures
  kNotVerified,          // 403, only with the right password
  kForbidden,            // 403, only with the right password
};

struct LoginOutcome {
  LoginResult result = LoginResult::kWrongNameOrPassword;
  std::optional<store::User> user;       // kOk
  bool rehash = false;                   // kOk: the stored hash should be replaced (MD5, weak)
  std::chrono::seconds retry_after{0};   // kSlowedDown
};

class LoginGate {
 public:
  // The user a login name stands for (nickname, e-mail or mobile), or NotFound.
  using FindUser = std::function<absl::StatusOr<store::User>(const std::string& name)>;

  // `shared`: where failures are counted across web nodes (LoginThrottle), or null.
  explicit LoginGate(FindUser find_user, LoginThrottle::Clock now = &std::chrono::steady_clock::now,
                     size_t max_parallel_checks = CredentialCheck::DefaultParallel(),
                     redis::Client* shared = nullptr);

  // `name` and `password` are already bounded in length (field_limits.h); `client_address` as
  // ClientAddresses::Of gives it.
  LoginOutcome Attempt(const std::string& name, std::string_view password,
                       const std::string& client_address);

 private:
  FindUser find_user_;
  LoginThrottle throttle_;
  CredentialCheck credentials_;
};

}  // namespace asgard::web
