// File: password.h
// Password hashes: argon2id (libsodium crypto_pwhash_str, interactive limits) for every new or
// changed password; the original's hex MD5 of "password|salt" is still accepted so that the
// web node can verify it once and store an argon2id hash instead.
//
//   PasswordCheck c = VerifyPassword(user, plain);
//   if (c.ok && c.rehash) store.SetUserPassword(user.id, plain, /*must_change=*/false);
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "store/records.h"

namespace asgard::store {

// "$argon2id$v=19$m=65536,t=2,p=1$..." (about 100 characters, fits users.password).
absl::StatusOr<std::string> HashPassword(absl::string_view plain);

struct PasswordCheck {
  bool ok = false;      // the password matches
  bool rehash = false;  // matches, but the stored hash is MD5 or weaker argon2 limits
};

// Checks `plain` against user.password: an argon2id string, or else the original's MD5 with
// user.salt. Constant-time comparison; an empty stored hash never matches.
PasswordCheck VerifyPassword(const User& user, absl::string_view plain);

// The original's hash: lowercase hex MD5 of plain + "|" + salt.
std::string LegacyPasswordHash(absl::string_view plain, absl::string_view salt);

// The initial account, as the original seeds it.
inline constexpr char kAdminNickname[] = "admin";
inline constexpr char kAdminDefaultPassword[] = "123456";

}  // namespace asgard::store
