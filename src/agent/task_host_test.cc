// The agent's task host over the fake launcher: assignments applied as differences, desired
// pause, records mapped back to task ids, invalid definitions refused or skipped.
#include "agent/task_host.h"

#include <filesystem>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/fake_launcher.h"

namespace asgard::agent {
namespace {

using ::testing::HasSubstr;

class MemoryFired final : public runtime::FiredStore {
 public:
  bool WasFired(const std::string& name, WallTime) const override { return names.count(name); }
  absl::Status MarkFired(const std::string& name, WallTime) override {
    names.insert(name);
    return absl::OkStatus();
  }
  std::set<std::string> names;
};

v1::TaskDefinition App(int64_t id, const std::string& name, v1::Desired desired = v1::DESIRED_RUN) {
  v1::TaskDefinition d;
  d.mutable_ref()->set_kind(v1::TASK_KIND_APP);
  d.mutable_ref()->set_id(id);
  d.set_name(name);
  d.set_program("sleep");
  d.set_args("100");
  d.set_std_out("/tmp/" + name + ".out");
  d.set_auto_restart(true);
  d.set_desired(desired);
  return d;
}

v1::TaskRef Ref(v1::TaskKind kind, int64_t id) {
  v1::TaskRef r;
  r.set_kind(kind);
  r.set_id(id);
  return r;
}

class TaskHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loop_ = *EventLoop::Create();
    host_ = std::make_unique<TaskHost>(*loop_, launcher_, std::make_unique<MemoryFired>());
  }
  void Apply(int64_t version, std::vector<v1::TaskDefinition> tasks) {
    v1::Assignment a;
    a.set_version(version);
    for (auto& t : tasks) *a.add_tasks() = t;
    host_->ApplyAssignment(a);
  }

  testing::FakeLauncher launcher_;
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<TaskHost> host_;
};

TEST_F(TaskHostTest, RunsOnlyWhatIsDesiredRunning) {
  Apply(1, {App(1, "web"), App(2, "paused", v1::DESIRED_PAUSE)});
  EXPECT_EQ(launcher_.spawns(), 1);
  EXPECT_EQ(host_->version(), 1);
  auto list = host_->List(v1::TASK_KIND_UNSPECIFIED);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_THAT(list[0].observed().state(), ::testing::AnyOf("starting", "running"));
  EXPECT_GT(list[0].observed().pid(), 0);
  EXPECT_EQ(list[1].observed().state(), "stopped");
}

TEST_F(TaskHostTest, NonAdminTasksRunAsTheTaskUserWhenTheUidRangeIsOff) {
  TaskIdentities ids;
  ids.agent_is_root = true;
  ids.shared_user = "nobody";
  host_ = std::make_unique<TaskHost>(*loop_, launcher_, std::make_unique<MemoryFired>(), ids);
  v1::TaskDefinition by_user = App(1, "mine");
  by_user.set_as_task_user(true);
  Apply(1, {by_user});
  EXPECT_EQ(launcher_.last_user(), "nobody");
  v1::TaskDefinition by_admin = App(2, "admins");
  Apply(2, {by_user, by_admin});
  EXPECT_EQ(launcher_.last_user(), "");  // the agent's own user
  v1::TaskDefinition named = App(3, "named");
  named.set_as_task_user(true);
  named.set_user("www-data");  // an administrator chose it (the web allows only them)
  Apply(3, {by_user, by_admin, named});
  EXPECT_EQ(launcher_.last_user(), "www-data");
  // The stored definition is what the master sent: the substitution is not reported back.
  EXPECT_EQ(host_->Snapshot().tasks(0).user(), "");
}

// Issue 9: each normal user's tasks run as a uid of their own (never shared, never root), their
// output is read with it, and an owner beyond the range cannot run at all.
TEST_F(TaskHostTest, EachUsersTasksRunAsTheirOwnUid) {
  TaskIdentities ids;
  ids.agent_is_root = true;
  ids.shared_user = "nobody";
  ids.uid_range = config::AgentConfig::UidRange{1900000000, 1900000099};
  char tmpl[] = "/tmp/asgard-task-homes-XXXXXX";
  ids.home_root = mkdtemp(tmpl);
  ids.max_processes = 64;
  host_ = std::make_unique<TaskHost>(*loop_, launcher_, std::make_unique<MemoryFired>(), ids);
  v1::TaskDefinition alice = App(1, "a");
  alice.set_as_task_user(true);
  alice.set_owner_id(5);
  v1::TaskDefinition bob = App(2, "b");
  bob.set_as_task_user(true);
  bob.set_owner_id(6);
  v1::TaskDefinition admin = App(3, "c");
  admin.set_owner_id(1);
  Apply(1, {alice, bob, admin});
  ASSERT_EQ(launcher_.specs().size(), 3u);
  std::map<std::string, process::ProcessSpec> by_name;  // the task names are distinct here
  for (const auto& spec : launcher_.specs()) by_name[spec.name] = spec;
  ASSERT_TRUE(by_name["a"].isolated.has_value());
  EXPECT_EQ(by_name["a"].isolated->uid, 1900000005u);
  EXPECT_EQ(by_name["a"].isolated->home, ids.home_root + "/1900000005");
  EXPECT_EQ(by_name["a"].isolated->max_processes, 64u);
  EXPECT_EQ(by_name["a"].user, "");
  EXPECT_EQ(by_name["b"].isolated->uid, 1900000006u);
  EXPECT_FALSE(by_name["c"].isolated.has_value());  // an administrator's: the agent's user
  EXPECT_EQ(by_name["c"].user, "");
  auto log = host_->LogPath(Ref(v1::TASK_KIND_APP, 1), "stdout");
  ASSERT_TRUE(log.ok());
  ASSERT_TRUE(log->read_as.has_value());
  EXPECT_EQ(log->read_as->uid, 1900000005u);

  v1::TaskDefinition beyond = App(4, "d");
  beyond.set_as_task_user(true);
  beyond.set_owner_id(100);  // 1900000100 is past the range's end
  auto refused = host_->Upsert(beyond);
  EXPECT_TRUE(absl::IsInvalidArgument(refused.status()));
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("task_uid_range"));
}

TEST_F(TaskHostTest, SameAssignmentAgainTouchesNothing) {
  Apply(1, {App(1, "web")});
  Apply(2, {App(1, "web")});
  EXPECT_EQ(launcher_.spawns(), 1);
  EXPECT_TRUE(launcher_.signals().empty());
  EXPECT_EQ(host_->version(), 2);
}

TEST_F(TaskHostTest, PauseStopsAndStartRunsAgain) {
  Apply(1, {App(1, "web")});
  auto paused = host_->SetDesired(Ref(v1::TASK_KIND_APP, 1), v1::DESIRED_PAUSE);
  ASSERT_TRUE(paused.ok());
  ASSERT_EQ(launcher_.signals().size(), 1u);
  EXPECT_EQ(launcher_.signals()[0].second, SIGTERM);
  launcher_.Kill(SIGTERM);
  auto reports = host_->TakeReports();
  ASSERT_EQ(reports.archives_size(), 1);
  EXPECT_EQ(reports.archives(0).ref().id(), 1);  // mapped back to the task id
  EXPECT_EQ(reports.archives(0).status(), -2);    // stopped by Asgard
  EXPECT_EQ(reports.archives(0).signal(), "kill");
  ASSERT_TRUE(host_->SetDesired(Ref(v1::TASK_KIND_APP, 1), v1::DESIRED_RUN).ok());
  EXPECT_EQ(launcher_.spawns(), 2);
}

TEST_F(TaskHostTest, InvalidDefinitionInAssignmentIsSkippedAndReported) {
  v1::TaskDefinition bad = App(2, "bad");
  bad.mutable_ref()->set_kind(v1::TASK_KIND_JOB);
  bad.set_spec("not a cron spec");
  Apply(1, {App(1, "web"), bad});
  EXPECT_EQ(launcher_.spawns(), 1);
  auto reports = host_->TakeReports();
  ASSERT_EQ(reports.exceptions_size(), 1);
  EXPECT_THAT(reports.exceptions(0).desc(), HasSubstr("spec"));
  EXPECT_EQ(host_->List(v1::TASK_KIND_UNSPECIFIED).size(), 1u);
}

TEST_F(TaskHostTest, UpsertOfBadDefinitionChangesNothing) {
  Apply(1, {App(1, "web")});
  v1::TaskDefinition bad = App(1, "web");
  bad.set_args("'unterminated");
  auto r = host_->Upsert(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("args"));
  EXPECT_EQ(host_->List(v1::TASK_KIND_APP)[0].definition().args(), "100");
  EXPECT_TRUE(launcher_.signals().empty());
}

TEST_F(TaskHostTest, ChangedDefinitionRestartsTheApp) {
  Apply(1, {App(1, "web")});
  v1::TaskDefinition changed = App(1, "web");
  changed.set_args("200");
  ASSERT_TRUE(host_->Upsert(changed).ok());
  ASSERT_EQ(launcher_.signals().size(), 1u);
  launcher_.Kill(SIGTERM);
  EXPECT_EQ(launcher_.spawns(), 2);
}

TEST_F(TaskHostTest, RemovedTaskStopsAndItsLastArchiveStillCarriesItsId) {
  Apply(1, {App(1, "web"), App(2, "api")});
  Apply(2, {App(2, "api")});
  ASSERT_EQ(launcher_.signals().size(), 1u);
  launcher_.Kill(SIGTERM, launcher_.signals()[0].first);
  auto reports = host_->TakeReports();
  ASSERT_EQ(reports.archives_size(), 1);
  EXPECT_EQ(reports.archives(0).ref().id(), 1);
  EXPECT_FALSE(host_->Get(Ref(v1::TASK_KIND_APP, 1)).ok());
}

TEST_F(TaskHostTest, SameNameTwiceIsTwoTasks) {
  Apply(1, {App(1, "web"), App(2, "web")});
  EXPECT_EQ(launcher_.spawns(), 2);
}

TEST_F(TaskHostTest, LogPathOnlyForItsTasksAndStreams) {
  Apply(1, {App(1, "web")});
  EXPECT_EQ(host_->LogPath(Ref(v1::TASK_KIND_APP, 1), "stdout")->path, "/tmp/web.out");
  EXPECT_FALSE(host_->LogPath(Ref(v1::TASK_KIND_APP, 1), "stdout")->read_as.has_value());
  EXPECT_TRUE(absl::IsNotFound(host_->LogPath(Ref(v1::TASK_KIND_APP, 1), "stderr").status()));
  EXPECT_TRUE(absl::IsNotFound(host_->LogPath(Ref(v1::TASK_KIND_APP, 9), "stdout").status()));
  EXPECT_TRUE(
      absl::IsInvalidArgument(host_->LogPath(Ref(v1::TASK_KIND_APP, 1), "/etc/passwd").status()));
}

TEST_F(TaskHostTest, TriggerRunsAJobAndRefusesApps) {
  v1::TaskDefinition job = App(3, "backup");
  job.mutable_ref()->set_kind(v1::TASK_KIND_JOB);
  job.set_spec("0 3 * * *");
  Apply(1, {App(1, "web"), job});
  int before = launcher_.spawns();
  ASSERT_TRUE(host_->Trigger(Ref(v1::TASK_KIND_JOB, 3)).ok());
  EXPECT_EQ(launcher_.spawns(), before + 1);
  EXPECT_TRUE(absl::IsFailedPrecondition(host_->Trigger(Ref(v1::TASK_KIND_APP, 1)).status()));
}

TEST_F(TaskHostTest, TimingFiredOnceIsNotRunAgainAfterRename) {
  v1::TaskDefinition t = App(4, "once");
  t.mutable_ref()->set_kind(v1::TASK_KIND_TIMING);
  t.set_time(time(nullptr) - 5);
  t.set_grace(60);
  Apply(1, {t});
  EXPECT_EQ(launcher_.spawns(), 1);
  launcher_.Exit(0);
  t.set_name("renamed");
  Apply(2, {t});
  EXPECT_EQ(launcher_.spawns(), 1);
}

// The store sends only timings still to run: a finished one leaves the next assignment, and
// the console asked its log of an agent that answered "no task".
TEST_F(TaskHostTest, FinishedTimingsLogStaysReadableAcrossRestarts) {
  std::string tmpl = ::testing::TempDir() + "asgard-host-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const std::string index = tmpl + "/timing-logs.pb";
  host_->KeepTimingLogsIn(index);
  v1::TaskDefinition t = App(4, "once");
  t.mutable_ref()->set_kind(v1::TASK_KIND_TIMING);
  t.set_time(time(nullptr) - 5);
  t.set_as_task_user(true);
  t.set_user("nobody");
  Apply(1, {t});
  launcher_.Exit(0);
  Apply(2, {App(1, "web")});  // done: no longer assigned
  auto file = host_->LogPath(Ref(v1::TASK_KIND_TIMING, 4), "stdout");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->path, "/tmp/once.out");
  ASSERT_TRUE(file->read_as.has_value());
  EXPECT_EQ(file->read_as->uid, 65534u) << "read with the rights it was written with";
  EXPECT_TRUE(absl::IsNotFound(host_->LogPath(Ref(v1::TASK_KIND_TIMING, 5), "stdout").status()));

  // A restarted agent gets an assignment without it from the start.
  host_.reset();
  host_ = std::make_unique<TaskHost>(*loop_, launcher_, std::make_unique<MemoryFired>());
  host_->KeepTimingLogsIn(index);
  Apply(3, {App(1, "web")});
  file = host_->LogPath(Ref(v1::TASK_KIND_TIMING, 4), "stdout");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->path, "/tmp/once.out");
  std::filesystem::remove_all(tmpl);
}

TEST_F(TaskHostTest, ChangeCallbackKeepsTheCacheCurrent) {
  int changes = 0;
  host_->OnChange([&] { ++changes; });
  Apply(1, {App(1, "web")});
  EXPECT_EQ(changes, 1);
  EXPECT_EQ(host_->Snapshot().tasks_size(), 1);
  ASSERT_TRUE(host_->SetDesired(Ref(v1::TASK_KIND_APP, 1), v1::DESIRED_PAUSE).ok());
  EXPECT_EQ(changes, 2);
  EXPECT_EQ(host_->Snapshot().tasks(0).desired(), v1::DESIRED_PAUSE);
}

}  // namespace
}  // namespace asgard::agent
