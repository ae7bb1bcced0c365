#include "web/credential_check.h"

#include <algorithm>
#include <thread>

#include "absl/strings/match.h"
#include "web/sessions.h"

namespace asgard::web {

size_t CredentialCheck::DefaultParallel() {
  return std::max<size_t>(2, 2 * std::thread::hardware_concurrency());
}

CredentialCheck::CredentialCheck(size_t max_parallel)
    : max_parallel_(std::max<size_t>(1, max_parallel)) {}

const store::User& CredentialCheck::Dummy() {
  absl::call_once(dummy_once_, [this] {
    absl::StatusOr<std::string> hash = store::HashPassword(RandomHex(16));
    // Without a hash (out of memory) the dummy check is an MD5 one: still never matches.
    dummy_.password = hash.ok() ? *hash : "";
  });
  return dummy_;
}

void CredentialCheck::Acquire() {
  mu_.LockWhen(absl::Condition(this, &CredentialCheck::SlotFree));
  ++running_;
  mu_.Unlock();
}

void CredentialCheck::Release() {
  absl::MutexLock lock(&mu_);
  --running_;
}

store::PasswordCheck CredentialCheck::Verify(const absl::StatusOr<store::User>& user,
                                             std::string_view password) {
  const absl::string_view plain(password.data(), password.size());
  const store::User& dummy = Dummy();
  Acquire();
  store::PasswordCheck check;
  if (!user.ok()) {
    (void)store::VerifyPassword(dummy, plain);
  } else {
    check = store::VerifyPassword(*user, plain);
    if (!absl::StartsWith(user->password, "$argon2")) (void)store::VerifyPassword(dummy, plain);
  }
  Release();
  return check;
}

}  // namespace asgard::web
