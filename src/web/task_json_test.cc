#include "web/task_json.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "web/field_limits.h"

namespace asgard::web {
namespace {

using ::testing::HasSubstr;

Json AppBody() {
  return Json::parse(R"({"name":"api","agent_id":2,"program":"/srv/api","args":"--port 8080",
                         "std_out":"/var/log/api.out","auto_restart":1,"is_monitor":true})");
}

std::string Error(store::TaskKind kind, const Json& body, bool admin = true) {
  auto r = ParseTaskInput(kind, body, store::TaskInput{}, store::RunAsRights{.any = admin});
  return r.ok() ? "" : std::string(r.status().message());
}

TEST(ParseTaskInputTest, AcceptsTheOriginalsFieldsAndBooleanForms) {
  auto in = ParseTaskInput(store::TaskKind::kApp, AppBody(), store::TaskInput{}, {});
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

TEST(ParseTaskInputTest, EveryTextFieldHasALimitNamedInItsError) {
  const std::pair<const char*, size_t> fields[] = {
      {"name", kMaxTaskNameBytes},     {"dir", kMaxTaskPathBytes},
      {"program", kMaxTaskPathBytes},  {"args", kMaxTaskArgsBytes},
      {"std_out", kMaxTaskPathBytes},  {"std_err", kMaxTaskPathBytes},
      {"user", kMaxTaskUserBytes},     {"stop_signal", kMaxShortWordBytes},
      {"spec", kMaxSpecBytes},         {"concurrency", kMaxShortWordBytes},
      {"time", kMaxTimeTextBytes}};
  for (const auto& [field, limit] : fields) {
    const auto kind =
        std::string(field) == "time" ? store::TaskKind::kTiming : store::TaskKind::kJob;
    Json b = AppBody();
    b["spec"] = "* * * * *";
    b[field] = "/" + std::string(7 << 20, 'a');  // 7 MiB, as the issue's group name
    EXPECT_EQ(
        Error(kind, b).rfind(absl::StrCat(field, ": at most ", limit, " bytes (got 7340033)"), 0),
        0u)
        << field << ": " << Error(kind, b);
    b[field] = "/" + std::string(limit, 'a');  // one byte over
    EXPECT_THAT(Error(kind, b), HasSubstr(absl::StrCat(field, ": at most ", limit))) << field;
  }
}

TEST(ParseTaskInputTest, EnvIsBoundedInVariablesNamesAndTotalSize) {
  Json b = AppBody();
  for (size_t i = 0; i <= kMaxEnvVariables; ++i) b["env"][absl::StrCat("V", i)] = "x";
  EXPECT_THAT(Error(store::TaskKind::kApp, b), HasSubstr("env: at most 256 variables"));
  b = AppBody();
  b["env"][std::string(kMaxEnvNameBytes + 1, 'N')] = "x";
  EXPECT_THAT(Error(store::TaskKind::kApp, b), HasSubstr("env name: at most 256 bytes"));
  b = AppBody();
  for (int i = 0; i < 4; ++i) b["env"][absl::StrCat("V", i)] = std::string(16 << 10, 'v');
  EXPECT_THAT(Error(store::TaskKind::kApp, b), HasSubstr("env: at most 61440 bytes in all"));
  b = AppBody();
  // Control characters take six bytes each as stored (\u0001): counted as stored.
  b["env"]["V"] = std::string(12 << 10, '\x01');
  EXPECT_THAT(Error(store::TaskKind::kApp, b), HasSubstr("env: at most 61440 bytes in all"));
  b = AppBody();
  b["env"]["PEM"] = std::string(3 << 10, 'k') + "\n" + std::string(3 << 10, 'k');
  EXPECT_EQ(Error(store::TaskKind::kApp, b), "");
}

TEST(ParseTaskInputTest, WrongTypesAndIdsOutOfRangeAreNamed) {
  const std::pair<const char*, Json> cases[] = {
      {"name", 5},          {"spec", 5},          {"program", Json::array({1})},
      {"agent_id", -1},     {"agent_id", 1.5},    {"agent_id", Json::parse("18446744073709551615")},
      {"group_id", -2},     {"group_id", Json(int64_t{1} << 40)},
      {"timeout", Json::parse("18446744073709551615")}};
  for (const auto& [field, value] : cases) {
    Json b = AppBody();
    b["spec"] = "* * * * *";
    b[field] = value;
    EXPECT_EQ(Error(store::TaskKind::kJob, b).rfind(absl::StrCat(field, ": "), 0), 0u)
        << field << " = " << value.dump() << ": " << Error(store::TaskKind::kJob, b);
  }
}

TEST(ParseTaskInputTest, TheOriginalsFormsStayAccepted) {
  // A form's values are strings: "0"/"1" booleans, numeric strings, group_id 0 (no group).
  Json form = {{"name", "api"},      {"agent_id", "2"},   {"program", "/srv/api"},
               {"group_id", "0"},    {"auto_restart", "1"}, {"is_monitor", "0"},
               {"stop_timeout", "5"}};
  auto in = ParseTaskInput(store::TaskKind::kApp, form, store::TaskInput{}, {});
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(in->agent_id, 2);
  EXPECT_EQ(in->group_id, 0);
  EXPECT_TRUE(in->auto_restart);
  EXPECT_EQ(in->stop_timeout, 5);
  Json json = AppBody();
  json["auto_restart"] = true;
  json["is_monitor"] = 0;
  EXPECT_EQ(Error(store::TaskKind::kApp, json), "");
}

TEST(ParseTaskInputTest, OnlyAdministratorsChooseTheUser) {
  Json b = AppBody();
  b["user"] = "root";
  auto r = ParseTaskInput(store::TaskKind::kApp, b, store::TaskInput{}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsPermissionDenied(r.status()));
  EXPECT_TRUE(ParseTaskInput(store::TaskKind::kApp, b, store::TaskInput{}, {.any = true}).ok());
}

// Issue 9: an account an administrator set survives no normal user's edit, whether the body
// leaves `user` out or echoes it back (as the console's form does).
TEST(ParseTaskInputTest, ANormalUsersEditDropsAnAccountTheyMayNotKeep) {
  store::TaskInput base;
  base.name = "old";
  base.agent_id = 1;
  base.program = "sleep";
  base.user = "root";
  for (const Json& body : {Json{{"program", "/bin/sh"}},
                           Json{{"program", "/bin/sh"}, {"user", "root"}}}) {
    auto r = ParseTaskInput(store::TaskKind::kApp, body, base, {});
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->user, "") << body.dump();
    EXPECT_THAT(RunAsNote(base.user, r->user), HasSubstr("no longer runs as 'root'"));
  }
  // Granted accounts are kept and may be chosen; others may not be.
  store::RunAsRights granted{.any = false, .allowed = {"deploy"}};
  base.user = "deploy";
  EXPECT_EQ(ParseTaskInput(store::TaskKind::kApp, Json{{"args", "1"}}, base, granted)->user,
            "deploy");
  auto denied = ParseTaskInput(store::TaskKind::kApp, Json{{"user", "www-data"}}, base, granted);
  EXPECT_TRUE(absl::IsPermissionDenied(denied.status()));
  EXPECT_THAT(std::string(denied.status().message()), HasSubstr("or as deploy"));
  // Administrators name accounts, but only account names.
  auto bad = ParseTaskInput(store::TaskKind::kApp, Json{{"user", "root;id"}}, base, {.any = true});
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status()));
  EXPECT_EQ(RunAsNote("", ""), "");
  EXPECT_EQ(RunAsNote("root", "root"), "");
}

TEST(ParseTaskInputTest, UpdateKeepsFieldsNotGiven) {
  store::TaskInput base;
  base.name = "old";
  base.agent_id = 1;
  base.program = "sleep";
  base.args = "10";
  auto r = ParseTaskInput(store::TaskKind::kApp, Json{{"args", "20"}}, base, {});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->name, "old");
  EXPECT_EQ(r->args, "20");
}

store::Group GroupWithStatus(int64_t id, int status) {
  store::Group g;
  g.id = id;
  g.name = "g";
  g.status = status;
  return g;
}

TEST(ChooseGroupTest, LiveGroupsAndNoGroupAreKept) {
  EXPECT_EQ(ChooseGroup(0, 5, absl::NotFoundError("unused"))->group_id, 0);
  EXPECT_EQ(ChooseGroup(7, 0, GroupWithStatus(7, 1))->group_id, 7);
  auto off = ChooseGroup(7, 0, GroupWithStatus(7, 0));  // not in use: only marked
  ASSERT_TRUE(off.ok());
  EXPECT_EQ(off->group_id, 7);
  EXPECT_EQ(off->note, "");
}

TEST(ChooseGroupTest, TheTasksOwnDeletedGroupBecomesNoGroup) {
  auto left = ChooseGroup(7, 7, GroupWithStatus(7, -1));
  ASSERT_TRUE(left.ok()) << left.status();
  EXPECT_EQ(left->group_id, 0);
  EXPECT_THAT(left->note, HasSubstr("group 7 was deleted"));
}

TEST(ChooseGroupTest, AnyOtherUnknownOrDeletedGroupIsRefused) {
  for (auto [requested, current] : {std::pair<int64_t, int64_t>{7, 0}, {7, 3}}) {
    auto deleted = ChooseGroup(requested, current, GroupWithStatus(7, -1));
    EXPECT_TRUE(absl::IsInvalidArgument(deleted.status()));
    EXPECT_EQ(deleted.status().message(), "group_id: no group 7");
  }
  auto unknown = ChooseGroup(9, 9, absl::NotFoundError("group 9 not found"));
  EXPECT_EQ(unknown.status().message(), "group_id: no group 9");
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

// What TaskToJson built with nlohmann::json before the tasks were written as text: the
// reference for the bytes of every kind.
Json ReferenceTaskJson(const store::Task& t, const TaskNames& names, absl::TimeZone zone) {
  const store::TaskInput& in = t.input;
  Json j = {{"id", t.id},
            {"name", in.name},
            {"group_id", in.group_id},
            {"group_name", names.group_name},
            {"agent_id", in.agent_id},
            {"agent_name", names.agent_name},
            {"dir", in.dir},
            {"program", in.program},
            {"args", in.args},
            {"std_out", in.std_out},
            {"std_err", in.std_err},
            {"is_monitor", in.is_monitor ? 1 : 0},
            {"user", in.user},
            {"env", in.env},
            {"stop_signal", in.stop_signal.Name()},
            {"stop_timeout", in.stop_timeout},
            {"max_bytes", in.max_bytes},
            {"backups", in.backups},
            {"status", t.status},
            {"desired", static_cast<int>(t.desired)},
            {"state", t.observed.state.empty() ? "unknown" : t.observed.state},
            {"pid", t.observed.pid},
            {"restarts", t.observed.restarts},
            {"last_exit_status", nullptr},
            {"last_exit_signal", t.observed.last_exit_signal},
            {"last_exit_at", nullptr},
            {"creator", t.creator},
            {"updator", t.updator},
            {"imported_root", t.imported_root ? 1 : 0},
            {"created_at", TimeText(t.created_at, zone)},
            {"updated_at", TimeText(t.updated_at, zone)}};
  if (t.observed.last_exit_status) j["last_exit_status"] = *t.observed.last_exit_status;
  if (t.observed.last_exit_at) j["last_exit_at"] = TimeText(*t.observed.last_exit_at, zone);
  switch (t.kind) {
    case store::TaskKind::kApp:
      j["auto_restart"] = in.auto_restart ? 1 : 0;
      j["start_secs"] = in.start_secs;
      j["max_restarts"] = in.max_restarts;
      j["backoff_max"] = in.backoff_max;
      break;
    case store::TaskKind::kJob:
      j["spec"] = in.spec;
      j["timeout"] = in.timeout;
      j["concurrency"] = runtime::ConcurrencyName(in.concurrency);
      j["max_concurrent"] = in.max_concurrent;
      j["retries"] = in.retries;
      j["retry_delay"] = in.retry_delay;
      j["next_run_at"] = nullptr;  // the tasks below are paused: no next run
      break;
    case store::TaskKind::kTiming:
      j["time"] = TimeText(in.time, zone);
      j["timeout"] = in.timeout;
      j["retries"] = in.retries;
      j["retry_delay"] = in.retry_delay;
      j["grace"] = in.grace;
      break;
  }
  return j;
}

TEST(TaskToJsonTest, WrittenTextIsWhatTheJsonTreePrinted) {
  store::Task t;
  t.id = 42;
  t.creator = 3;
  t.updator = 4;
  t.status = store::kTaskPaused;
  t.desired = store::Desired::kPause;
  t.created_at = absl::FromUnixSeconds(1700000000);
  t.updated_at = absl::FromUnixSeconds(1700000100);
  store::TaskInput& in = t.input;
  in.name = "api \"v2\" \xE4\xB8\xAD";
  in.agent_id = 2;
  in.group_id = 5;
  in.dir = "/srv/api";
  in.program = "/srv/api/bin";
  in.args = "--port 8080\t--x";
  in.std_out = "/var/log/api.out";
  in.env = {{"A", "1"}, {"PATH", "/bin:/usr/bin"}, {"BAD", "\xC3"}};
  in.stop_signal = *Signal::Parse("SIGUSR2");
  in.stop_timeout = 10;
  in.max_bytes = 1 << 20;
  in.backups = 3;
  in.auto_restart = true;
  in.start_secs = 2;
  in.max_restarts = 5;
  in.backoff_max = 30;
  in.spec = "*/5 * * * *";
  in.concurrency = runtime::Concurrency::kAllow;
  in.timeout = 60;
  in.retries = 2;
  in.retry_delay = 15;
  in.time = absl::FromUnixSeconds(1800000000);
  in.grace = 120;
  TaskNames names{"web-1 (10.0.0.5:27149)", "backend"};
  absl::TimeZone zone = absl::FixedTimeZone(8 * 3600);
  for (auto kind : {store::TaskKind::kApp, store::TaskKind::kJob, store::TaskKind::kTiming}) {
    t.kind = kind;
    for (bool exited : {false, true}) {
      t.observed = {};
      if (exited) {
        t.observed.state = "exited";
        t.observed.pid = 0;
        t.observed.restarts = 4;
        t.observed.last_exit_status = -1;
        t.observed.last_exit_signal = "SIGKILL";
        t.observed.last_exit_at = absl::FromUnixSeconds(1700000200);
      }
      std::string text;
      JsonWriter w(&text);
      WriteTaskJson(w, t, names, zone);
      std::string expected = ReferenceTaskJson(t, names, zone)
                                 .dump(-1, ' ', false, Json::error_handler_t::replace);
      EXPECT_EQ(text, expected) << KindWord(kind) << " exited=" << exited;
      EXPECT_EQ(TaskToJson(t, names, zone), Json::parse(expected));
    }
  }
}

}  // namespace
}  // namespace asgard::web
