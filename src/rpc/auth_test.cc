#include "rpc/auth.h"

#include "gtest/gtest.h"

namespace asgard::rpc {
namespace {

TEST(TokenAuth, AcceptsOnlyTheExactBearerToken) {
  TokenAuth auth("s3cret");
  EXPECT_TRUE(auth.CheckHeader("Bearer s3cret").ok());
  for (const char* bad : {"", "s3cret", "Bearer", "Bearer ", "Bearer s3cre", "Bearer s3cret ",
                          "bearer s3cret", "Basic s3cret", "Bearer S3CRET", "Bearer s3cretX"}) {
    grpc::Status s = auth.CheckHeader(bad);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << "'" << bad << "'";
    EXPECT_EQ(s.error_message().find("s3cret"), std::string::npos) << "leaks the token";
  }
}

TEST(TokenAuth, WithoutATokenOnlyTokenlessCallsPass) {
  TokenAuth auth("");
  EXPECT_FALSE(auth.enabled());
  EXPECT_TRUE(auth.CheckHeader("").ok());
  EXPECT_EQ(auth.CheckHeader("Bearer x").error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST(ConstantTimeEquals, ComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("ab", "abc"));
  EXPECT_FALSE(ConstantTimeEquals(std::string_view("a\0", 2), "a"));
}

// Issue 9: agents keep only the hash of the control token, so that root on one agent host
// cannot drive the others; the hash accepts the token and nothing else.
TEST(ControlVerifier, AcceptsTheTokenOfItsHashOnly) {
  const std::string token = NewSecret();
  auto hash = HashControlToken(token);
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_EQ(hash->find(token), std::string::npos);
  auto v = ControlVerifier::FromHash(*hash);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE((*v)->CheckHeader("Bearer " + token).ok());
  EXPECT_TRUE((*v)->CheckHeader("Bearer " + token).ok());  // remembered: a digest compare
  for (std::string bad : {std::string(""), token, "Bearer " + token + "x", "Bearer " + *hash,
                          std::string("Bearer ") + "agent-shared-token"}) {
    grpc::Status s = (*v)->CheckHeader(bad);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << bad;
  }
}

TEST(ControlVerifier, FromTheTokenItselfOnTheSameHost) {
  auto v = ControlVerifier::FromToken("local-generated-token-0123456789");
  EXPECT_TRUE(v->CheckHeader("Bearer local-generated-token-0123456789").ok());
  EXPECT_FALSE(v->CheckHeader("Bearer local-generated-token-012345678").ok());
}

TEST(ControlVerifier, RefusesWhatIsNotAnArgon2idHashOrAShortToken) {
  EXPECT_FALSE(ControlVerifier::FromHash("plain-token").ok());
  EXPECT_FALSE(ControlVerifier::FromHash("").ok());
  EXPECT_FALSE(HashControlToken("short").ok());
}

TEST(AgentKeyHash, IsAStableHexDigest) {
  EXPECT_EQ(AgentKeyHash("k").size(), 64u);
  EXPECT_EQ(AgentKeyHash("k"), AgentKeyHash("k"));
  EXPECT_NE(AgentKeyHash("k"), AgentKeyHash("l"));
  EXPECT_NE(NewSecret(), NewSecret());
}

}  // namespace
}  // namespace asgard::rpc
