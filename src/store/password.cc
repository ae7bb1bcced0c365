// File: password.cc
#include "store/password.h"

#include <openssl/evp.h>
#include <sodium.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace asgard::store {

absl::StatusOr<std::string> HashPassword(absl::string_view plain) {
  if (sodium_init() < 0) return absl::InternalError("libsodium: sodium_init failed");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, plain.data(), plain.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return absl::ResourceExhaustedError("argon2id: out of memory while hashing a password");
  }
  return std::string(out);
}

std::string LegacyPasswordHash(absl::string_view plain, absl::string_view salt) {
  std::string input = absl::StrCat(plain, "|", salt);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), digest, &len, EVP_md5(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), len));
}

PasswordCheck VerifyPassword(const User& user, absl::string_view plain) {
  PasswordCheck check;
  const std::string& stored = user.password;
  if (stored.empty()) return check;
  if (absl::StartsWith(stored, "$argon2")) {
    if (sodium_init() < 0 || stored.size() >= crypto_pwhash_STRBYTES) return check;
    char str[crypto_pwhash_STRBYTES] = {};
    stored.copy(str, stored.size());
    check.ok = crypto_pwhash_str_verify(str, plain.data(), plain.size()) == 0;
    check.rehash =
        check.ok && crypto_pwhash_str_needs_rehash(str, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                                   crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
    return check;
  }
  std::string expected = LegacyPasswordHash(plain, user.salt);
  std::string given = absl::AsciiStrToLower(stored);
  check.ok = given.size() == expected.size() &&
             sodium_memcmp(given.data(), expected.data(), expected.size()) == 0;
  check.rehash = check.ok;
  return check;
}

}  // namespace asgard::store
