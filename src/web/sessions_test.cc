#include "web/sessions.h"

#include <thread>

#include "gtest/gtest.h"

namespace asgard::web {
namespace {

TEST(SessionsTest, TokenIdentifiesItsUserUntilRevoked) {
  Sessions sessions("secret-one");
  auto [token, expires] = sessions.Create(7);
  auto s = sessions.Check(token);
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->user_id, 7);
  sessions.Revoke(token);
  EXPECT_FALSE(sessions.Check(token).has_value());
}

TEST(SessionsTest, AlteredOrForeignTokensAreRefused) {
  Sessions a("secret-one"), b("secret-two");
  auto [token, expires] = a.Create(1);
  std::string altered = token;
  altered[0] = altered[0] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(a.Check(altered).has_value());
  EXPECT_FALSE(a.Check(token.substr(0, token.find('.'))).has_value());
  EXPECT_FALSE(b.Check(token).has_value());
  EXPECT_FALSE(a.Check("").has_value());
}

TEST(SessionsTest, RevokeUserEndsEveryTokenOfThatUserOnly) {
  Sessions sessions("s");
  auto t1 = sessions.Create(1).first;
  auto t2 = sessions.Create(1).first;
  auto other = sessions.Create(2).first;
  sessions.RevokeUser(1);
  EXPECT_FALSE(sessions.Check(t1));
  EXPECT_FALSE(sessions.Check(t2));
  EXPECT_TRUE(sessions.Check(other));
}

TEST(SessionsTest, ExpiredTokensAreRefused) {
  Sessions sessions("s", std::chrono::seconds(0));
  auto token = sessions.Create(1).first;
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_FALSE(sessions.Check(token));
}

TEST(SessionsTest, OnlyASessionMadeForTheForcedChangeCarriesItsFlag) {
  Sessions sessions("s");
  auto forced = sessions.Create(1, /*forced_password_change=*/true).first;
  auto normal = sessions.Create(1).first;
  EXPECT_TRUE(sessions.Check(forced)->forced_password_change);
  EXPECT_FALSE(sessions.Check(normal)->forced_password_change);
}

TEST(TokenFromAuthorizationTest, BearerInAnyCaseOrABareToken) {
  EXPECT_EQ(TokenFromAuthorization("Bearer abc.def"), "abc.def");
  EXPECT_EQ(TokenFromAuthorization("bearer abc.def"), "abc.def");
  EXPECT_EQ(TokenFromAuthorization("BEARER   abc.def "), "abc.def");
  // The original's clients send the token alone.
  EXPECT_EQ(TokenFromAuthorization("abc.def"), "abc.def");
  EXPECT_EQ(TokenFromAuthorization(" abc.def\t"), "abc.def");
}

TEST(TokenFromAuthorizationTest, NothingForAnotherSchemeOrNoToken) {
  // A proxy's Basic credentials must leave the session cookie in charge.
  EXPECT_EQ(TokenFromAuthorization("Basic dXNlcjpwYXNz"), std::nullopt);
  EXPECT_EQ(TokenFromAuthorization(""), std::nullopt);
  EXPECT_EQ(TokenFromAuthorization("   "), std::nullopt);
  // One word is taken as a token (and refused by Check).
  EXPECT_EQ(TokenFromAuthorization("Bearer"), "Bearer");
  EXPECT_EQ(TokenFromAuthorization("Bearer   "), "Bearer");
}

}  // namespace
}  // namespace asgard::web
