// File: credential_check.h
// The password check of a login, costing the same whether the user exists or not, so that the
// time of an answer does not tell which names are accounts: an unknown name (or a user still on
// the original's fast MD5 hash) is checked against a dummy argon2id hash too.
//
// Each check holds about 64 MiB (argon2id's interactive memory) for ~100 ms; at most
// `max_parallel` run at once and the others wait, so a flood of logins costs time, not memory.
//
//   CredentialCheck check;
//   store::PasswordCheck c = check.Verify(user_or_not_found, password);
//   if (!c.ok) return WrongNameOrPassword();
//
// Thread-safety: Verify may be called from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/base/call_once.h"
#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "store/password.h"
#include "store/records.h"

namespace asgard::web {

class CredentialCheck {
 public:
  // Two checks per core, at least two.
  static size_t DefaultParallel();

  explicit CredentialCheck(size_t max_parallel = DefaultParallel());
  CredentialCheck(const CredentialCheck&) = delete;
  CredentialCheck& operator=(const CredentialCheck&) = delete;

  // The check of `password` against `user`'s hash; never ok when `user` is an error (not found),
  // after the same work as for a real user.
  store::PasswordCheck Verify(const absl::StatusOr<store::User>& user, std::string_view password);

 private:
  // A user whose argon2id hash is of a random password no one knows, made on first use.
  const store::User& Dummy();
  bool SlotFree() const ABSL_SHARED_LOCKS_REQUIRED(mu_) { return running_ < max_parallel_; }
  void Acquire() ABSL_LOCKS_EXCLUDED(mu_);
  void Release() ABSL_LOCKS_EXCLUDED(mu_);

  const size_t max_parallel_;
  absl::Mutex mu_;
  size_t running_ ABSL_GUARDED_BY(mu_) = 0;  // checks under way, at most max_parallel_
  absl::once_flag dummy_once_;
  store::User dummy_;  // written once under dummy_once_
};

}  // namespace asgard::web
