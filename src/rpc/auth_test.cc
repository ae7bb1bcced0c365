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

}  // namespace
}  // namespace asgard::rpc
