// The list filters in the original's clients' forms (API.md "Lists").
#include "web/list_filters.h"

#include <map>

#include "gtest/gtest.h"
#include "web/field_limits.h"

namespace asgard::web {
namespace {

bool RefusedNaming(const absl::Status& s, const std::string& field) {
  return absl::IsInvalidArgument(s) && s.message().rfind(field + ":", 0) == 0;
}

TEST(ParseStatusFilter, MinusNinetyNineAndNothingMeanAnyStatus) {
  EXPECT_EQ(*ParseStatusFilter("", -1, 1), std::nullopt);
  EXPECT_EQ(*ParseStatusFilter("-99", -1, 1), std::nullopt);
  EXPECT_EQ(*ParseStatusFilter("-1", -1, 1), -1);
  EXPECT_EQ(*ParseStatusFilter("0", -1, 1), 0);
  EXPECT_EQ(*ParseStatusFilter("3", -3, 3), 3);
}

TEST(ParseStatusFilter, OtherValuesAreA400NamingStatus) {
  for (const char* bad : {"2", "-2", "x", "1.0", " 1", "-98", "99999999999999999999"}) {
    auto s = ParseStatusFilter(bad, -1, 1);
    EXPECT_TRUE(RefusedNaming(s.status(), "status")) << bad;
  }
  EXPECT_NE(ParseStatusFilter("7", -3, 3).status().message().find("-99 (any status)"),
            std::string::npos);
}

TEST(ParseGroupFilter, ZeroIsAnyGroupAndMinusOneIsUngrouped) {
  EXPECT_EQ(*ParseGroupFilter(""), std::nullopt);
  EXPECT_EQ(*ParseGroupFilter("0"), std::nullopt);  // the original's clients send it by default
  EXPECT_EQ(*ParseGroupFilter("-1"), 0);            // the group_id of a task without a group
  EXPECT_EQ(*ParseGroupFilter("12"), 12);
  for (const char* bad : {"-2", "abc", "2147483648", "1e3"}) {
    EXPECT_TRUE(RefusedNaming(ParseGroupFilter(bad).status(), "group_id")) << bad;
  }
}

TEST(ParseIdFilter, ZeroIsAny) {
  EXPECT_EQ(*ParseIdFilter("0", "agent_id"), std::nullopt);
  EXPECT_EQ(*ParseIdFilter("5", "agent_id"), 5);
  EXPECT_TRUE(RefusedNaming(ParseIdFilter("-1", "agent_id").status(), "agent_id"));
}

TEST(ParseTaskFilter, ReadsEachFilterOfATaskPage) {
  std::map<std::string, std::string> query = {
      {"name", "web"}, {"group_id", "-1"}, {"agent_id", "3"}, {"status", "-99"}};
  auto param = [&query](const std::string& name) { return query[name]; };
  auto filter = ParseTaskFilter(param);
  ASSERT_TRUE(filter.ok()) << filter.status();
  EXPECT_EQ(filter->name, "web");
  EXPECT_EQ(filter->group_id, 0);  // ungrouped
  EXPECT_EQ(filter->agent_id, 3);
  EXPECT_EQ(filter->status, std::nullopt);
  EXPECT_EQ(filter->creator, std::nullopt);
  query["agent_id"] = "x";
  query["status"] = "9";
  EXPECT_TRUE(RefusedNaming(ParseTaskFilter(param).status(), "agent_id"));  // in field order
  query["name"] = std::string(kMaxFilterBytes + 1, 'n');
  EXPECT_TRUE(RefusedNaming(ParseTaskFilter(param).status(), "name"));
}

TEST(TaskPageKey, NamesEveryFilterWithTheNameLast) {
  store::TaskFilter filter;
  filter.page = 2;
  filter.size = 20;
  filter.agent_id = 3;
  filter.creator = 7;
  filter.name = "a|b";
  EXPECT_EQ(TaskPageKey(store::TaskKind::kJob, filter), "job|2|20|-|3|-|7|a|b");
}

}  // namespace
}  // namespace asgard::web
