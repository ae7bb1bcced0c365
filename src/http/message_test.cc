// File: message_test.cc
// Query strings and headers as handlers read them.
#include "http/message.h"

#include "gtest/gtest.h"

namespace asgard::http {
namespace {

TEST(MessageTest, DecodesQueriesAndForms) {
  auto params = ParseQuery("a=1&name=a%20b+c&empty=&flag&&x=%zz%4");
  ASSERT_EQ(params.size(), 5u);
  EXPECT_EQ(params[1], (std::pair<std::string, std::string>{"name", "a b c"}));
  EXPECT_EQ(params[2].second, "");
  EXPECT_EQ(params[3].first, "flag");
  EXPECT_EQ(params[4].second, "%zz%4");  // malformed escapes kept as written
  EXPECT_EQ(PercentDecode("/a%2Fb+c", false), "/a/b+c");
}

TEST(MessageTest, HeadersAreFoundInAnyCaseAndParamsByExactName) {
  Request req;
  req.headers = {{"content-type", "application/json"}, {"X-A", "1"}, {"x-a", "2"}};
  req.params = {{"id", "7"}};
  EXPECT_EQ(req.Header("Content-Type"), "application/json");
  EXPECT_EQ(req.Header("X-A"), "1");
  EXPECT_FALSE(req.HasHeader("Cookie"));
  EXPECT_EQ(req.Param("id"), "7");
  EXPECT_EQ(req.Param("ID"), "");
  Response res;
  res.SetHeader("Vary", "Origin");
  res.SetHeader("vary", "Accept-Encoding");
  ASSERT_EQ(res.headers.size(), 1u);
  EXPECT_EQ(res.Header("VARY"), "Accept-Encoding");
}

}  // namespace
}  // namespace asgard::http
