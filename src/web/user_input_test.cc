// Users, groups and agents: wrong types and sizes are 400s naming the field.
#include "web/user_input.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "web/field_limits.h"

namespace asgard::web {
namespace {

using Json = nlohmann::json;
using ::testing::StartsWith;

std::string Message(const absl::Status& s) { return std::string(s.message()); }

TEST(ParseNewUser, TakesTheFieldsAndDefaultsTheRole) {
  auto u = ParseNewUser(Json{{"nickname", "eve"}, {"password", "secret-1"},
                             {"email", "eve@example.com"}, {"mobile", "13800000000"}});
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->user.nickname, "eve");
  EXPECT_EQ(u->user.role, "User");
  EXPECT_EQ(u->password, "secret-1");
}

TEST(ParseNewUser, WrongTypesAndSizesAreNamed) {
  const std::pair<const char*, Json> cases[] = {
      {"nickname", 5},
      {"nickname", std::string(kMaxNicknameBytes + 1, 'n')},
      {"password", Json::array({1})},
      {"password", std::string(kMaxPasswordBytes + 1, 'p')},
      {"email", std::string(kMaxEmailBytes, 'e') + "@x.y"},
      {"mobile", std::string(kMaxMobileBytes + 1, '1')},
      {"avatar", std::string(kMaxAvatarBytes + 1, 'a')},
      {"role", "God"},
      {"role", 1}};
  for (const auto& [field, value] : cases) {
    Json body = {{"nickname", "eve"}, {"password", "secret-1"}};
    body[field] = value;
    auto u = ParseNewUser(body);
    ASSERT_FALSE(u.ok()) << field;
    EXPECT_THAT(Message(u.status()), StartsWith(absl::StrCat(field, ": "))) << field;
  }
  EXPECT_EQ(Message(ParseNewUser(Json{{"password", "secret-1"}}).status()),
            "nickname: is required");
  EXPECT_EQ(Message(ParseNewUser(Json{{"nickname", "e"}, {"password", "1"}}).status()),
            "password: at least 6 characters");
}

TEST(ParseUserChange, StatusIsOneZeroOrMinusOne) {
  EXPECT_EQ(*ParseUserChange(Json{{"status", -1}})->status, -1);
  EXPECT_EQ(*ParseUserChange(Json{{"status", "1"}})->status, 1);  // a form
  for (const Json& bad : {Json(7), Json(int64_t{1} << 32), Json("x"), Json(true)}) {
    auto c = ParseUserChange(Json{{"status", bad}});
    ASSERT_FALSE(c.ok()) << bad.dump();
    EXPECT_THAT(Message(c.status()), StartsWith("status: "));
  }
  EXPECT_EQ(Message(ParseUserChange(Json{{"nickname", ""}}).status()), "nickname: is empty");
  EXPECT_FALSE(ParseUserChange(Json::object())->update.nickname.has_value());
}

TEST(ParseGroupInput, SevenMebibytesIsRefused) {
  EXPECT_EQ(ParseGroupInput(Json{{"name", "web"}}, GroupWrite::kCreate)->name, "web");
  EXPECT_EQ(Message(ParseGroupInput(Json{{"name", std::string(7 << 20, 'g')}},
                                    GroupWrite::kCreate)
                        .status()),
            "name: at most 128 bytes (got 7340032)");
  EXPECT_EQ(Message(ParseGroupInput(Json{{"name", 5}}, GroupWrite::kCreate).status()),
            "name: must be a string");
  EXPECT_EQ(Message(ParseGroupInput(Json::object(), GroupWrite::kCreate).status()),
            "name: is required");
}

TEST(ParseGroupInput, StatusAsTheOriginalSendsIt) {
  // A form: every value a string.
  auto created = ParseGroupInput(Json{{"name", "web"}, {"status", "0"}}, GroupWrite::kCreate);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->status, 0);
  EXPECT_EQ(ParseGroupInput(Json{{"name", "web"}}, GroupWrite::kCreate)->status, std::nullopt);
  EXPECT_THAT(Message(ParseGroupInput(Json{{"name", "web"}, {"status", -1}}, GroupWrite::kCreate)
                          .status()),
              StartsWith("status:"));
  // PUT: the name may stay, and -1 deletes.
  auto deleted = ParseGroupInput(Json{{"status", -1}}, GroupWrite::kUpdate);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(deleted->name, "");
  EXPECT_EQ(deleted->status, -1);
  EXPECT_THAT(Message(ParseGroupInput(Json{{"status", 2}}, GroupWrite::kUpdate).status()),
              StartsWith("status:"));
}

TEST(ParseAgentAlias, BoundedByItsColumn) {
  EXPECT_EQ(*ParseAgentAlias(Json{{"alias", ""}}), "");
  EXPECT_EQ(Message(ParseAgentAlias(Json{{"alias", std::string(33, 'a')}}).status()),
            "alias: at most 32 bytes (got 33)");
  EXPECT_EQ(Message(ParseAgentAlias(Json::object()).status()), "alias: is required");
}

}  // namespace
}  // namespace asgard::web
