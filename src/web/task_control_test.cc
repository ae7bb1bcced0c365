// File: task_control_test.cc
// The rules of apps, jobs and timings (task_control.h) on a real SQLite store in memory, with
// the agents recorded instead of called.
#include "web/task_control.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rpc/task_definition.h"
#include "rpc/task_set_convert.h"
#include "store/store_test_fixture.h"

namespace asgard::web {
namespace {

using store::Desired;
using store::TaskKind;
using store::User;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Records what the rules ask of the agents; each call answers with the status set for it.
class RecordingAgents : public TaskAgents {
 public:
  absl::Status PushDefinition(const store::Task& task) override {
    calls.push_back(
        absl::StrCat("add ", task.id, task.desired == Desired::kRun ? " run" : " paused"));
    return add;
  }
  absl::Status PushRemove(const store::Task& task, int64_t agent_id) override {
    calls.push_back(absl::StrCat("remove ", task.id, " from agent ", agent_id));
    return remove;
  }
  absl::Status Restart(const store::Task& task) override {
    calls.push_back(absl::StrCat("restart ", task.id));
    return restart;
  }
  absl::Status Trigger(const store::Task& task) override {
    calls.push_back(absl::StrCat("trigger ", task.id));
    absl::Status s = trigger.empty() ? absl::OkStatus() : trigger.front();
    if (!trigger.empty()) trigger.erase(trigger.begin());
    return s;
  }

  std::vector<std::string> calls;
  absl::Status add, remove, restart;
  std::vector<absl::Status> trigger;  // answers in turn, then OK
};

class TaskControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config::DbConfig db;
    db.path = ":memory:";
    ASSERT_OK_AND_ASSIGN(store_, store::Store::Open(db, ""));
    control_ = std::make_unique<TaskControl>(*store_, agents_);
    ASSERT_OK_AND_ASSIGN(admin_, store_->GetUser(1));  // seeded by the migration
    ASSERT_TRUE(admin_.admin());
    alice_ = AddUser("alice", "User");
    bob_ = AddUser("bob", "User");
    ASSERT_OK_AND_ASSIGN(agent_, store_->RegisterAgent(
                                     {"10.0.0.1", "27149", "master-1", "uuid-1", 100},
                                     absl::Now()));
  }

  User AddUser(const std::string& name, const std::string& role) {
    User u;
    u.nickname = name;
    u.role = role;
    auto created = store_->CreateUser(u, "secret-password");
    EXPECT_TRUE(created.ok()) << created.status();
    return created.value_or(User{});
  }
  // The user as the store has them now (after a change of role or rights).
  User Reload(const User& u) { return store_->GetUser(u.id).value_or(User{}); }

  // A create body; `extra` fields added or replaced.
  nlohmann::json Body(const std::string& name, TaskKind kind = TaskKind::kApp,
                      const nlohmann::json& extra = nlohmann::json::object()) {
    nlohmann::json body = {{"name", name}, {"agent_id", agent_.id}, {"program", "/bin/sleep"},
                           {"args", "60"}};
    if (kind == TaskKind::kJob) body["spec"] = "*/5 * * * *";
    if (kind == TaskKind::kTiming) body["time"] = "2030-01-01T08:00:00Z";
    body.update(extra);
    return body;
  }
  store::Task Create(const User& u, const std::string& name, TaskKind kind = TaskKind::kApp,
                     nlohmann::json extra = nlohmann::json::object()) {
    auto change = control_->Create(u, kind, Body(name, kind, extra));
    EXPECT_TRUE(change.ok()) << change.status();
    agents_.calls.clear();
    return change.ok() ? change->task : store::Task{};
  }
  std::vector<store::Operation> Operations() {
    store::OperationFilter filter;
    filter.size = 100;
    auto page = store_->ListOperations(filter);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->items : std::vector<store::Operation>{};
  }

  std::unique_ptr<store::Store> store_;
  RecordingAgents agents_;
  std::unique_ptr<TaskControl> control_;
  User admin_, alice_, bob_;
  store::Agent agent_;
};

// --- Who may see and change a task -------------------------------------------------------------

TEST_F(TaskControlTest, TheOwnerAndAdministratorsSeeATaskOtherUsersAreDenied) {
  store::Task t = Create(alice_, "web");
  EXPECT_TRUE(control_->Load(alice_, TaskKind::kApp, t.id).ok());
  EXPECT_TRUE(control_->Load(admin_, TaskKind::kApp, t.id).ok());
  auto other = control_->Load(bob_, TaskKind::kApp, t.id);
  EXPECT_TRUE(absl::IsPermissionDenied(other.status()));
  EXPECT_EQ(other.status().message(), "this app belongs to another user");
}

TEST_F(TaskControlTest, AUserListsOnlyTheirOwnTasksAnAdministratorEveryones) {
  Create(alice_, "a");
  Create(bob_, "b");
  store::TaskFilter any;
  any.agent_id = agent_.id;
  EXPECT_EQ(TaskControl::VisibleTo(alice_, any).creator, alice_.id);
  EXPECT_EQ(TaskControl::VisibleTo(alice_, any).agent_id, agent_.id);
  EXPECT_EQ(TaskControl::VisibleTo(admin_, any).creator, std::nullopt);
  auto alices = store_->ListTasks(TaskKind::kApp, TaskControl::VisibleTo(alice_, any));
  ASSERT_TRUE(alices.ok()) << alices.status();
  ASSERT_EQ(alices->items.size(), 1u);
  EXPECT_EQ(alices->items[0].input.name, "a");
  EXPECT_EQ(store_->ListTasks(TaskKind::kApp, TaskControl::VisibleTo(admin_, any))->total, 2);
}

TEST_F(TaskControlTest, AnotherUsersTaskCannotBeStartedStoppedEditedCopiedOrDeleted) {
  store::Task t = Create(alice_, "web");
  const auto id = t.id;
  EXPECT_TRUE(absl::IsPermissionDenied(control_->Start(bob_, TaskKind::kApp, id).status()));
  EXPECT_TRUE(absl::IsPermissionDenied(control_->Pause(bob_, TaskKind::kApp, id).status()));
  EXPECT_TRUE(absl::IsPermissionDenied(control_->Restart(bob_, TaskKind::kApp, id).status()));
  EXPECT_TRUE(absl::IsPermissionDenied(
      control_->Update(bob_, TaskKind::kApp, id, {{"args", "1"}}).status()));
  EXPECT_TRUE(absl::IsPermissionDenied(control_->Copy(bob_, TaskKind::kApp, id).status()));
  EXPECT_TRUE(absl::IsPermissionDenied(control_->Delete(bob_, TaskKind::kApp, id).status()));
  EXPECT_THAT(agents_.calls, IsEmpty());
  EXPECT_EQ(store_->GetTask(TaskKind::kApp, id)->desired, Desired::kPause);
}

TEST_F(TaskControlTest, AnAdministratorChangesAnyUsersTask) {
  store::Task t = Create(alice_, "web");
  ASSERT_OK_AND_ASSIGN(TaskChange started, control_->Start(admin_, TaskKind::kApp, t.id));
  EXPECT_EQ(started.task.desired, Desired::kRun);
  EXPECT_EQ(started.task.creator, alice_.id);
  EXPECT_EQ(started.task.updator, admin_.id);
}

TEST_F(TaskControlTest, ADeletedTaskIsNotFoundToEveryone) {
  store::Task t = Create(alice_, "web");
  ASSERT_OK(control_->Delete(alice_, TaskKind::kApp, t.id).status());
  for (const User& u : {alice_, admin_}) {
    auto loaded = control_->Load(u, TaskKind::kApp, t.id);
    EXPECT_TRUE(absl::IsNotFound(loaded.status()));
    EXPECT_EQ(loaded.status().message(), absl::StrCat("no such app ", t.id));
  }
  EXPECT_TRUE(absl::IsNotFound(control_->Load(alice_, TaskKind::kJob, 999).status()));
}

TEST_F(TaskControlTest, ADemotedAdministratorSeesOnlyTheirOwnTasks) {
  User carol = AddUser("carol", "Administrator");
  store::Task t = Create(alice_, "web");
  EXPECT_TRUE(control_->Load(carol, TaskKind::kApp, t.id).ok());
  store::UserUpdate demote;
  demote.role = "User";
  ASSERT_OK(store_->UpdateUser(carol.id, demote).status());
  EXPECT_TRUE(absl::IsPermissionDenied(control_->Load(Reload(carol), TaskKind::kApp, t.id).status()));
}

// --- Create, update, copy ----------------------------------------------------------------------

TEST_F(TaskControlTest, ACreatedTaskIsPausedPushedAndLogged) {
  ASSERT_OK_AND_ASSIGN(TaskChange c, control_->Create(alice_, TaskKind::kApp,
                                                      Body("web", TaskKind::kApp, {{"desired", 1}})));
  EXPECT_EQ(c.task.desired, Desired::kPause);
  EXPECT_EQ(c.task.creator, alice_.id);
  EXPECT_TRUE(c.push.ok());
  EXPECT_EQ(ChangeMessage(c), "ok");
  EXPECT_THAT(agents_.calls, ElementsAre(absl::StrCat("add ", c.task.id, " paused")));
  auto ops = Operations();
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].user_id, alice_.id);
  EXPECT_EQ(ops[0].related_id, c.task.id);
  EXPECT_EQ(ops[0].action, kOpCreate);
}

TEST_F(TaskControlTest, ABadBodyOrAgentIsRefusedBeforeAnythingIsStored) {
  auto no_program = control_->Create(alice_, TaskKind::kApp, {{"name", "x"}, {"agent_id", 1}});
  EXPECT_TRUE(absl::IsInvalidArgument(no_program.status()));
  auto unknown = control_->Create(alice_, TaskKind::kApp, Body("x", TaskKind::kApp, {{"agent_id", 77}}));
  EXPECT_EQ(unknown.status().message(), "agent_id: no agent 77");
  ASSERT_OK(store_->ForbidAgent(agent_.id, admin_.id));
  auto forbidden = control_->Create(alice_, TaskKind::kApp, Body("x"));
  EXPECT_EQ(forbidden.status().message(), absl::StrCat("agent_id: agent ", agent_.id,
                                                       " is forbidden"));
  EXPECT_THAT(agents_.calls, IsEmpty());
  EXPECT_THAT(Operations(), IsEmpty());
}

// The web and the agent check a task with the same rules (rpc::ToTaskDef, runtime::Validate):
// every bound the API accepts is a definition the agent runs.
TEST_F(TaskControlTest, WhatTheApiAcceptsAtItsBoundsAnAgentRuns) {
  const std::vector<std::pair<TaskKind, nlohmann::json>> bodies = {
      {TaskKind::kApp, {{"stop_timeout", 0}, {"start_secs", 0}, {"max_restarts", 0},
                        {"backoff_max", 1}, {"max_bytes", 0}, {"backups", 0}}},
      {TaskKind::kApp, {{"stop_timeout", 86400}, {"start_secs", 3600}, {"backoff_max", 86400},
                        {"stop_signal", "KILL"}, {"args", "'a b' \"c\""}}},
      {TaskKind::kJob, {{"timeout", -1}, {"retries", 0}, {"retry_delay", 0},
                        {"max_concurrent", 1}, {"concurrency", "replace"}}},
      {TaskKind::kJob, {{"timeout", 30 * 86400}, {"retries", 100}, {"max_concurrent", 1000},
                        {"spec", "CRON_TZ=Asia/Shanghai 0 30 9 * * 1-5"}}},
      {TaskKind::kTiming, {{"grace", 0}, {"timeout", -1}, {"retries", 0}}},
      {TaskKind::kTiming, {{"grace", 86400}, {"retries", 100}, {"retry_delay", 86400}}},
  };
  int n = 0;
  for (const auto& [kind, extra] : bodies) {
    auto change = control_->Create(alice_, kind, Body(absl::StrCat("t", ++n), kind, extra));
    ASSERT_TRUE(change.ok()) << extra.dump() << ": " << change.status();
    v1::TaskDefinition def = rpc::ToDefinition(change->task, rpc::TaskOwner{alice_.id, false});
    EXPECT_TRUE(rpc::ToTaskDef(def).ok()) << extra.dump() << ": " << rpc::ToTaskDef(def).status();
  }
}

TEST_F(TaskControlTest, AStoredChangeTheAgentCannotTakeNowIsStillSaved) {
  agents_.add = absl::UnavailableError("agent 10.0.0.1:27149 is unreachable");
  ASSERT_OK_AND_ASSIGN(TaskChange c, control_->Create(alice_, TaskKind::kJob,
                                                      Body("nightly", TaskKind::kJob)));
  EXPECT_TRUE(store_->GetTask(TaskKind::kJob, c.task.id).ok());
  EXPECT_EQ(ChangeMessage(c),
            "saved; agent 10.0.0.1:27149 is unreachable (the agent applies it when it is back)");
}

TEST_F(TaskControlTest, OnlyAdministratorsNameTheRunAsAccount) {
  auto denied = control_->Create(alice_, TaskKind::kApp, Body("x", TaskKind::kApp, {{"user", "www-data"}}));
  EXPECT_TRUE(absl::IsPermissionDenied(denied.status()));
  ASSERT_OK_AND_ASSIGN(TaskChange c, control_->Create(admin_, TaskKind::kApp,
                                                      Body("x", TaskKind::kApp, {{"user", "www-data"}})));
  EXPECT_EQ(c.task.input.user, "www-data");
  // An account an administrator granted.
  store::UserUpdate grant;
  grant.run_as = std::vector<std::string>{"deploy"};
  ASSERT_OK(store_->UpdateUser(alice_.id, grant).status());
  ASSERT_OK_AND_ASSIGN(TaskChange granted,
                       control_->Create(Reload(alice_), TaskKind::kApp,
                                        Body("y", TaskKind::kApp, {{"user", "deploy"}})));
  EXPECT_EQ(granted.task.input.user, "deploy");
}

TEST_F(TaskControlTest, TheOwnersEditDropsAnAccountAnAdministratorChoseAndSaysSo) {
  store::Task t = Create(alice_, "web");
  ASSERT_OK(control_->Update(admin_, TaskKind::kApp, t.id, {{"user", "www-data"}}).status());
  EXPECT_EQ(store_->GetTask(TaskKind::kApp, t.id)->input.user, "www-data");
  ASSERT_OK_AND_ASSIGN(TaskChange c, control_->Update(alice_, TaskKind::kApp, t.id,
                                                      {{"args", "120"}}));
  EXPECT_EQ(c.task.input.user, "");
  EXPECT_EQ(c.task.input.args, "120");
  EXPECT_THAT(ChangeMessage(c), HasSubstr("saved; it no longer runs as 'www-data'"));
}

TEST_F(TaskControlTest, ADemotedAdministratorMayNoLongerNameAnAccount) {
  User carol = AddUser("carol", "Administrator");
  store::Task t = Create(carol, "web", TaskKind::kApp, {{"user", "www-data"}});
  EXPECT_EQ(t.input.user, "www-data");
  store::UserUpdate demote;
  demote.role = "User";
  std::vector<store::TaskRef> rechecked;
  ASSERT_OK(store_->UpdateUser(carol.id, demote, &rechecked).status());
  User demoted = Reload(carol);
  EXPECT_EQ(store_->GetTask(TaskKind::kApp, t.id)->input.user, "");  // the store re-checked it
  auto named = control_->Update(demoted, TaskKind::kApp, t.id, {{"user", "www-data"}});
  EXPECT_TRUE(absl::IsPermissionDenied(named.status()));
  ASSERT_OK_AND_ASSIGN(TaskChange edit,
                       control_->Update(demoted, TaskKind::kApp, t.id, {{"args", "5"}}));
  EXPECT_EQ(edit.task.input.user, "");
}

TEST_F(TaskControlTest, ACopyKeepsEverythingButNameAndStateAndFollowsTheCopiersRights) {
  store::Task t = Create(alice_, "web", TaskKind::kJob,
                         {{"dir", "/srv"}, {"env", {{"A", "1"}}}, {"concurrency", "allow"}});
  ASSERT_OK(control_->Start(alice_, TaskKind::kJob, t.id).status());
  ASSERT_OK(control_->Update(admin_, TaskKind::kJob, t.id, {{"user", "www-data"}}).status());
  agents_.calls.clear();

  ASSERT_OK_AND_ASSIGN(TaskChange admins, control_->Copy(admin_, TaskKind::kJob, t.id));
  EXPECT_EQ(admins.task.input.name, "web_copy");
  EXPECT_EQ(admins.task.desired, Desired::kPause);
  EXPECT_NE(admins.task.id, t.id);
  EXPECT_EQ(admins.task.creator, admin_.id);
  EXPECT_EQ(admins.task.input.dir, "/srv");
  EXPECT_EQ(admins.task.input.env.at("A"), "1");
  EXPECT_EQ(admins.task.input.spec, "*/5 * * * *");
  EXPECT_EQ(admins.task.input.concurrency, runtime::Concurrency::kAllow);
  EXPECT_EQ(admins.task.input.user, "www-data");
  EXPECT_EQ(ChangeMessage(admins), "ok");

  ASSERT_OK_AND_ASSIGN(TaskChange owners, control_->Copy(alice_, TaskKind::kJob, t.id));
  EXPECT_EQ(owners.task.creator, alice_.id);
  EXPECT_EQ(owners.task.input.user, "");
  EXPECT_THAT(ChangeMessage(owners), HasSubstr("it no longer runs as 'www-data'"));
  EXPECT_EQ(Operations().front().action, kOpCopy);
  EXPECT_EQ(Operations().front().related_id, t.id);  // the original's id, as the original logs
}

TEST_F(TaskControlTest, ATaskOfADeletedGroupBecomesUngroupedWhenSavedAgain) {
  ASSERT_OK_AND_ASSIGN(store::Group g, store_->CreateGroup("frontend", admin_.id));
  store::Task t = Create(alice_, "web", TaskKind::kApp, {{"group_id", g.id}});
  EXPECT_EQ(t.input.group_id, g.id);
  ASSERT_OK(store_->DeleteGroup(g.id, admin_.id));
  // The console sends the whole form back, the deleted group included.
  ASSERT_OK_AND_ASSIGN(TaskChange c, control_->Update(alice_, TaskKind::kApp, t.id,
                                                      {{"group_id", g.id}, {"args", "1"}}));
  EXPECT_EQ(c.task.input.group_id, 0);
  EXPECT_EQ(ChangeMessage(c), absl::StrCat("saved; group ", g.id,
                                           " was deleted: the task is now without a group"));
  // A deleted group cannot be chosen anew.
  auto other = control_->Create(alice_, TaskKind::kApp, Body("x", TaskKind::kApp, {{"group_id", g.id}}));
  EXPECT_EQ(other.status().message(), absl::StrCat("group_id: no group ", g.id));
}

TEST_F(TaskControlTest, AMoveToAnotherAgentDropsTheTaskThereFirst) {
  ASSERT_OK_AND_ASSIGN(store::Agent second, store_->RegisterAgent(
                                                {"10.0.0.2", "27149", "master-1", "uuid-2", 1},
                                                absl::Now()));
  store::Task t = Create(alice_, "web");
  ASSERT_OK_AND_ASSIGN(TaskChange moved, control_->Update(alice_, TaskKind::kApp, t.id,
                                                          {{"agent_id", second.id}}));
  EXPECT_THAT(agents_.calls, ElementsAre(absl::StrCat("remove ", t.id, " from agent ", agent_.id),
                                         absl::StrCat("add ", t.id, " paused")));
  // The old agent unreachable: the new one is not told yet either; the change is saved.
  agents_.calls.clear();
  agents_.remove = absl::UnavailableError("down");
  ASSERT_OK_AND_ASSIGN(TaskChange back, control_->Update(alice_, TaskKind::kApp, t.id,
                                                         {{"agent_id", agent_.id}}));
  EXPECT_EQ(agents_.calls.size(), 1u);
  EXPECT_EQ(back.task.input.agent_id, agent_.id);
  EXPECT_EQ(ChangeMessage(back), "saved; down (the agent applies it when it is back)");
}

// --- Start, pause, restart, delete, run -------------------------------------------------------

TEST_F(TaskControlTest, StartAndPauseChangeTheDesiredStateOnce) {
  store::Task t = Create(alice_, "web");
  ASSERT_OK_AND_ASSIGN(TaskChange s, control_->Start(alice_, TaskKind::kApp, t.id));
  EXPECT_EQ(s.task.desired, Desired::kRun);
  auto again = control_->Start(alice_, TaskKind::kApp, t.id);
  EXPECT_TRUE(absl::IsFailedPrecondition(again.status()));
  EXPECT_EQ(again.status().message(), "the app is already started");
  ASSERT_OK(control_->Pause(alice_, TaskKind::kApp, t.id).status());
  auto paused = control_->Pause(alice_, TaskKind::kApp, t.id);
  EXPECT_EQ(paused.status().message(), "the app is already paused");
  EXPECT_THAT(agents_.calls, ElementsAre(absl::StrCat("add ", t.id, " run"),
                                         absl::StrCat("add ", t.id, " paused")));
}

TEST_F(TaskControlTest, OnlyAPausedTaskIsDeletedAndItsAgentDropsIt) {
  store::Task t = Create(alice_, "web", TaskKind::kTiming);
  ASSERT_OK(control_->Start(alice_, TaskKind::kTiming, t.id).status());
  auto refused = control_->Delete(alice_, TaskKind::kTiming, t.id);
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status()));
  EXPECT_EQ(refused.status().message(), "pause the timing before deleting it");
  ASSERT_OK(control_->Pause(alice_, TaskKind::kTiming, t.id).status());
  agents_.calls.clear();
  ASSERT_OK_AND_ASSIGN(TaskChange d, control_->Delete(alice_, TaskKind::kTiming, t.id));
  EXPECT_EQ(store_->GetTask(TaskKind::kTiming, t.id)->status, store::kTaskDeleted);
  EXPECT_THAT(agents_.calls, ElementsAre(absl::StrCat("remove ", t.id, " from agent ", agent_.id)));
  EXPECT_EQ(Operations().front().action, kOpDelete);
}

TEST_F(TaskControlTest, RestartStartsAPausedAppAndGivesItToAnAgentThatLacksIt) {
  store::Task t = Create(alice_, "web");
  agents_.restart = absl::NotFoundError("no such task");
  ASSERT_OK_AND_ASSIGN(TaskChange r, control_->Restart(alice_, TaskKind::kApp, t.id));
  EXPECT_EQ(r.task.desired, Desired::kRun);
  EXPECT_EQ(ChangeMessage(r), "ok");
  EXPECT_THAT(agents_.calls, ElementsAre(absl::StrCat("restart ", t.id),
                                         absl::StrCat("add ", t.id, " run")));
  // A job or timing is restarted by sending its definition again.
  store::Task job = Create(alice_, "nightly", TaskKind::kJob);
  ASSERT_OK(control_->Restart(alice_, TaskKind::kJob, job.id).status());
  EXPECT_THAT(agents_.calls, ElementsAre(absl::StrCat("add ", job.id, " run")));
}

TEST_F(TaskControlTest, ARestartTheAgentCannotTakeIsAnError) {
  store::Task t = Create(alice_, "web");
  agents_.restart = absl::UnavailableError("agent down");
  auto r = control_->Restart(alice_, TaskKind::kApp, t.id);
  EXPECT_TRUE(absl::IsUnavailable(r.status()));
  // The start it implied is stored all the same.
  EXPECT_EQ(store_->GetTask(TaskKind::kApp, t.id)->desired, Desired::kRun);
}

TEST_F(TaskControlTest, AJobRunsOnceOnlyWhenStarted) {
  store::Task job = Create(alice_, "nightly", TaskKind::kJob);
  auto paused = control_->RunJob(alice_, job.id);
  EXPECT_EQ(paused.status().message(), "start the job before running it");
  ASSERT_OK(control_->Start(alice_, TaskKind::kJob, job.id).status());
  agents_.calls.clear();
  agents_.trigger = {absl::NotFoundError("no such task")};
  ASSERT_OK(control_->RunJob(alice_, job.id).status());
  EXPECT_THAT(agents_.calls, ElementsAre(absl::StrCat("trigger ", job.id),
                                         absl::StrCat("add ", job.id, " run"),
                                         absl::StrCat("trigger ", job.id)));
  EXPECT_TRUE(absl::IsPermissionDenied(control_->RunJob(bob_, job.id).status()));
}

// --- Batches ---------------------------------------------------------------------------------

TEST_F(TaskControlTest, ABatchAppliesTheActionToEachIdAndReportsEachOutcome) {
  store::Task mine = Create(alice_, "a");
  store::Task started = Create(alice_, "b");
  ASSERT_OK(control_->Start(alice_, TaskKind::kApp, started.id).status());
  store::Task bobs = Create(bob_, "c");
  auto results = control_->Batch(TaskAction::kStart, alice_, TaskKind::kApp,
                                 {mine.id, started.id, bobs.id, 999});
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].first, mine.id);
  EXPECT_TRUE(results[0].second.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(results[1].second.status()));
  EXPECT_TRUE(absl::IsPermissionDenied(results[2].second.status()));
  EXPECT_TRUE(absl::IsNotFound(results[3].second.status()));
  EXPECT_EQ(store_->GetTask(TaskKind::kApp, bobs.id)->desired, Desired::kPause);

  auto deleted = control_->Batch(TaskAction::kDelete, admin_, TaskKind::kApp, {bobs.id, mine.id});
  EXPECT_TRUE(deleted[0].second.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(deleted[1].second.status()));  // started above
}

TEST(ParseBatchIdsTest, IdsAreANonEmptyBoundedArrayOfIdsOrNothingIsDone) {
  EXPECT_EQ(ParseBatchIds({{"ids", {3, 1, 2}}}).value(), (std::vector<int64_t>{3, 1, 2}));
  EXPECT_EQ(ParseBatchIds(nlohmann::json::object()).status().message(),
            "ids: a non-empty array of ids is required");
  EXPECT_EQ(ParseBatchIds({{"ids", nlohmann::json::array()}}).status().message(),
            "ids: a non-empty array of ids is required");
  EXPECT_EQ(ParseBatchIds({{"ids", {1, "2"}}}).status().message(),
            "ids: every id must be an integer");
  EXPECT_TRUE(absl::IsInvalidArgument(ParseBatchIds({{"ids", {1, 0}}}).status()));
  nlohmann::json many = nlohmann::json::array();
  for (int i = 1; i <= 1001; ++i) many.push_back(i);
  EXPECT_EQ(ParseBatchIds({{"ids", many}}).status().message(), "ids: at most 1000 per call");
}

TEST(ChangeMessageTest, SaysWhatTheWriterShouldKnow) {
  TaskChange c;
  EXPECT_EQ(ChangeMessage(c), "ok");
  c.note = "n";
  EXPECT_EQ(ChangeMessage(c), "saved; n");
  c.push = absl::UnavailableError("down");
  EXPECT_EQ(ChangeMessage(c), "saved; n; down (the agent applies it when it is back)");
}

}  // namespace
}  // namespace asgard::web
