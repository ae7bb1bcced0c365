#include "web/task_json.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace asgard::web {
namespace {

using ::testing::HasSubstr;

Json AppBody() {
  return Json::parse(R"({"name":"api","agent_id":2,"program":"/srv/api","args":"--port 8080",
                         "std_out":"/var/log/api.out","auto_restart":1,"is_monitor":true})");
}

std::string Error(store::TaskKind kind, const Json& body, bool admin = true) {
  auto r = ParseTaskInput(kind, body, store::TaskInput{}, admin);
  return r.ok() ? "" : std::string(r.status().message());
}

TEST(ParseTaskInputTest, AcceptsTheOriginalsFieldsAndBooleanForms) {
  auto in = ParseTaskInput(store::TaskKind::kApp, AppBody(), store::TaskInput{}, false);
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(in->name, "api");
  EXPECT_EQ(in->agent_id, 2);
  EXPECT_TRUE(in->auto_restart);
  EXPECT_TRUE(in->is_monitor);
  EXPECT_EQ(in->args, "--port 8080");
}

TEST(ParseTaskInputTest, EachBadFieldIsNamed) {
  Json b = AppBody();
  b["agent_id"] = "x";
  EXPECT_THAT(Error(store::TaskKind::kApp, b), HasSubstr("agent_id"));
  b = AppBody();
  b["args"] = "'open";
  EXPECT_THAT(Error(store::TaskKind::kApp, b), HasSubstr("args"));
  b = AppBody();
  b["std_out"] = "relative/path";
  EXPECT_THAT(Error(store::TaskKind::kApp, b), HasSubstr("std_out"));
  b = AppBody();
  b["stop_signal"] = "NOPE";
  EXPECT_THAT(Error(store::TaskKind::kApp, b), HasSubstr("stop_signal"));
  b = AppBody();
  b.erase("name");
  EXPECT_THAT(Error(store::TaskKind::kApp, b), HasSubstr("name"));
  b = AppBody();
  b["spec"] = "61 * * * *";
  EXPECT_THAT(Error(store::TaskKind::kJob, b), HasSubstr("spec"));
  b = AppBody();
  b["time"] = "tomorrow";
  EXPECT_THAT(Error(store::TaskKind::kTiming, b), HasSubstr("time"));
  b = AppBody();
  b["env"] = Json::array();
  EXPECT_THAT(Error(store::TaskKind::kApp, b), HasSubstr("env"));
}

TEST(ParseTaskInputTest, OnlyAdministratorsChooseTheUser) {
  Json b = AppBody();
  b["user"] = "root";
  auto r = ParseTaskInput(store::TaskKind::kApp, b, store::TaskInput{}, false);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsPermissionDenied(r.status()));
  EXPECT_TRUE(ParseTaskInput(store::TaskKind::kApp, b, store::TaskInput{}, true).ok());
}

TEST(ParseTaskInputTest, UpdateKeepsFieldsNotGiven) {
  store::TaskInput base;
  base.name = "old";
  base.agent_id = 1;
  base.program = "sleep";
  base.args = "10";
  auto r = ParseTaskInput(store::TaskKind::kApp, Json{{"args", "20"}}, base, false);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->name, "old");
  EXPECT_EQ(r->args, "20");
}

TEST(TaskToJsonTest, SnakeCaseAndZeroOneBooleans) {
  store::Task t;
  t.kind = store::TaskKind::kApp;
  t.id = 7;
  t.input.name = "api";
  t.input.auto_restart = true;
  t.observed.last_exit_status = 1;
  Json j = TaskToJson(t, {"web-1 (10.0.0.5:27149)", ""}, absl::UTCTimeZone());
  EXPECT_EQ(j["id"], 7);
  EXPECT_EQ(j["auto_restart"], 1);
  EXPECT_EQ(j["is_monitor"], 0);
  EXPECT_EQ(j["agent_name"], "web-1 (10.0.0.5:27149)");
  EXPECT_EQ(j["last_exit_status"], 1);
  EXPECT_TRUE(j["last_exit_at"].is_null());
}

}  // namespace
}  // namespace asgard::web
