// File: password_change.h
// The rules of POST /auth/change_password, apart from HTTP and the store (SPEC 7): the old
// password is needed, except in the session that logged in with an initial or reset password
// while the user still has to change it (the original's clients send the new password alone);
// the new one has at least kMinPasswordLength characters, differs from the current one and is
// not the initial `123456`.
//
//   PasswordChange change{old_password_or_nullopt, new_password};
//   RETURN_IF_ERROR(CheckPasswordChange(change, session, user));
//   store.SetUserPassword(user.id, change.password, /*must_change=*/false);
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "store/records.h"
#include "web/sessions.h"

namespace asgard::web {

inline constexpr size_t kMinPasswordLength = 6;

struct PasswordChange {
  std::optional<std::string> old_password;  // nullopt: not given (absent or empty)
  std::string password;                     // the new one
};

// OK if `user`, logged in as `session`, may change their password as `change` says;
// InvalidArgument naming the field otherwise. Checks a password hash (argon2id, ~100 ms).
absl::Status CheckPasswordChange(const PasswordChange& change, const Session& session,
                                 const store::User& user);

}  // namespace asgard::web
