#include "web/password_change.h"

#include "gtest/gtest.h"
#include "store/password.h"

namespace asgard::web {
namespace {

store::User UserWithPassword(const std::string& plain, bool must_change) {
  store::User u;
  u.id = 3;
  u.password = *store::HashPassword(plain);
  u.must_change_password = must_change;
  return u;
}

Session SessionOf(bool forced) {
  Session s;
  s.user_id = 3;
  s.forced_password_change = forced;
  return s;
}

bool Refused(const absl::Status& s, const std::string& field) {
  return absl::IsInvalidArgument(s) && s.message().rfind(field + ":", 0) == 0;
}

TEST(PasswordChangeTest, TheOldPasswordIsCheckedWhenGiven) {
  store::User user = UserWithPassword("current-1", false);
  EXPECT_TRUE(CheckPasswordChange({"current-1", "next-one"}, SessionOf(false), user).ok());
  EXPECT_TRUE(Refused(CheckPasswordChange({"wrong-one", "next-one"}, SessionOf(false), user),
                      "old_password"));
}

TEST(PasswordChangeTest, OldPasswordMayBeLeftOutOnlyInTheForcedChangeSession) {
  store::User due = UserWithPassword("temp-pass-1", true);
  EXPECT_TRUE(CheckPasswordChange({std::nullopt, "next-one"}, SessionOf(true), due).ok());
  // Another session of the same user (logged in before the reset, or by a token made since).
  absl::Status other = CheckPasswordChange({std::nullopt, "next-one"}, SessionOf(false), due);
  EXPECT_TRUE(Refused(other, "old_password"));
  EXPECT_NE(other.message().find("initial or reset password"), std::string::npos);
  // The change is no longer due: the session's flag alone is not enough.
  store::User done = UserWithPassword("temp-pass-1", false);
  EXPECT_TRUE(Refused(CheckPasswordChange({std::nullopt, "next-one"}, SessionOf(true), done),
                      "old_password"));
}

TEST(PasswordChangeTest, TheNewPasswordFollowsItsRules) {
  store::User due = UserWithPassword("temp-pass-1", true);
  EXPECT_TRUE(Refused(CheckPasswordChange({std::nullopt, "short"}, SessionOf(true), due),
                      "password"));
  EXPECT_TRUE(Refused(CheckPasswordChange({std::nullopt, "123456"}, SessionOf(true), due),
                      "password"));
  EXPECT_TRUE(Refused(CheckPasswordChange({std::nullopt, "temp-pass-1"}, SessionOf(true), due),
                      "password"));
  EXPECT_TRUE(Refused(CheckPasswordChange({"temp-pass-1", "temp-pass-1"}, SessionOf(true), due),
                      "password"));
}

}  // namespace
}  // namespace asgard::web
