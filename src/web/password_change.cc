#include "web/password_change.h"

#include "absl/strings/str_cat.h"
#include "store/password.h"

namespace asgard::web {
namespace {

absl::Status CheckOldPassword(const std::optional<std::string>& old_password,
                              const Session& session, const store::User& user) {
  if (old_password) {
    if (store::VerifyPassword(user, *old_password).ok) return absl::OkStatus();
    return absl::InvalidArgumentError("old_password: does not match the current password");
  }
  // Both: the user's flag says the change is still due, the session's that this login was
  // made with the password an administrator chose (or the initial one), not by another client.
  if (session.forced_password_change && user.must_change_password) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "old_password: is required; it may be left out only in the session that logged in with "
      "an initial or reset password, until that password is changed");
}

// `old_password` is the checked current password when given: it spares a second hash check.
absl::Status CheckNewPassword(const std::string& password,
                              const std::optional<std::string>& old_password,
                              const store::User& user) {
  if (password.size() < kMinPasswordLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("password: at least ", kMinPasswordLength, " characters"));
  }
  if (password == store::kAdminDefaultPassword) {
    return absl::InvalidArgumentError("password: the initial password cannot be used again");
  }
  if (old_password ? password == *old_password : store::VerifyPassword(user, password).ok) {
    return absl::InvalidArgumentError("password: must differ from the current one");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckPasswordChange(const PasswordChange& change, const Session& session,
                                 const store::User& user) {
  if (absl::Status s = CheckOldPassword(change.old_password, session, user); !s.ok()) return s;
  return CheckNewPassword(change.password, change.old_password, user);
}

}  // namespace asgard::web
