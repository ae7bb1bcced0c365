// Typed body members: a wrong type is a 400 naming the field, never an exception.
#include "web/body_fields.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace asgard::web {
namespace {

using Json = nlohmann::json;
using ::testing::StartsWith;

std::string Message(const absl::Status& s) { return std::string(s.message()); }

TEST(Text, WrongTypesAreNamedErrors) {
  for (const Json& value : {Json(123), Json::array({1}), Json::object(), Json(true), Json(1.5)}) {
    auto text = Text(Json{{"username", value}}, "username", 100);
    ASSERT_FALSE(text.ok()) << value.dump();
    EXPECT_TRUE(absl::IsInvalidArgument(text.status()));
    EXPECT_EQ(Message(text.status()), "username: must be a string");
  }
  EXPECT_EQ(*Text(Json::object(), "username", 100), "");
  EXPECT_EQ(*Text(Json{{"username", nullptr}}, "username", 100), "");
  EXPECT_FALSE(OptionalText(Json::object(), "username", 100)->has_value());
}

TEST(Text, LimitUtf8AndNul) {
  EXPECT_EQ(*Text(Json{{"n", "中文"}}, "n", 6), "中文");
  EXPECT_EQ(Message(Text(Json{{"n", "中文!"}}, "n", 6).status()), "n: at most 6 bytes (got 7)");
  EXPECT_EQ(Message(Text(Json{{"n", std::string("a\0b", 3)}}, "n", 6).status()),
            "n: contains a NUL byte");
  // A form's values are not checked by the JSON parser.
  EXPECT_EQ(Message(Text(Json{{"n", "\xff"}}, "n", 6).status()), "n: is not valid UTF-8");
}

TEST(Int, AcceptsIntegersAndDecimalStringsInRange) {
  EXPECT_EQ(**OptionalInt(Json{{"n", 5}}, "n", 1, 10), 5);
  EXPECT_EQ(**OptionalInt(Json{{"n", "5"}}, "n", 1, 10), 5);
  EXPECT_EQ(**OptionalInt(Json{{"n", -1}}, "n", -1, 1), -1);
  EXPECT_FALSE(OptionalInt(Json::object(), "n", 1, 10)->has_value());
  for (const Json& bad : {Json(0), Json(11), Json("x"), Json(1.5), Json::array(), Json(true),
                          Json("99999999999999999999999"),
                          Json::parse("18446744073709551615")}) {
    auto v = OptionalInt(Json{{"n", bad}}, "n", 1, 10);
    ASSERT_FALSE(v.ok()) << bad.dump();
    EXPECT_THAT(Message(v.status()), StartsWith("n: ")) << bad.dump();
  }
  EXPECT_EQ(Message(OptionalInt(Json{{"n", Json::parse("18446744073709551615")}}, "n", 1,
                                INT64_MAX)
                        .status()),
            "n: 18446744073709551615 is out of range 1..9223372036854775807");
}

}  // namespace
}  // namespace asgard::web
