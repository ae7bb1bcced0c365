// File: run_as_test.cc
// Who may make an agent run a task as which account: the pure rule (run_as.h) and the store
// applying it at every write and when a writer's rights change (SPEC 7), on both backends.
#include "store/run_as.h"

#include "gmock/gmock.h"
#include "store/store_test_fixture.h"

namespace asgard::store {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

TEST(RunAs, AdministratorsNameAnyAccountUsersOnlyGrantedOnes) {
  User admin;
  admin.role = "Administrator";
  User user;
  user.role = "User";
  user.run_as = {"deploy"};
  EXPECT_TRUE(MayRunAs(RightsOf(admin), "root"));
  EXPECT_TRUE(MayRunAs(RightsOf(user), ""));
  EXPECT_TRUE(MayRunAs(RightsOf(user), "deploy"));
  EXPECT_FALSE(MayRunAs(RightsOf(user), "root"));
  EXPECT_FALSE(MayRunAs(RightsOf(user), "deploy "));
}

TEST(RunAs, AllowListIsCheckedAndDeduplicated) {
  EXPECT_THAT(ParseRunAsList(" deploy, www-data ,deploy,svc$").value(),
              ElementsAre("deploy", "www-data", "svc$"));
  EXPECT_TRUE(ParseRunAsList("").value().empty());
  for (const char* bad : {"root;id", "-x", "a b", "1000", "a/b", "x$y"}) {
    EXPECT_FALSE(ParseRunAsList(bad).ok()) << bad;
  }
  EXPECT_EQ(JoinRunAsList({"a", "b"}), "a,b");
}

class RunAsStoreTest : public StoreTest {
 protected:
  User AddUser(const std::string& name, const std::string& role,
               std::vector<std::string> run_as = {}) {
    User u;
    u.nickname = name;
    u.role = role;
    u.run_as = std::move(run_as);
    absl::StatusOr<User> created = store().CreateUser(u, "password1");
    EXPECT_TRUE(created.ok()) << created.status();
    return created.value_or(User{});
  }
  TaskInput AsUser(TaskInput in, const std::string& user) {
    in.user = user;
    return in;
  }
};

// The attack of issue 9: a task an administrator set to root keeps root through a normal
// user's edit and copy, and runs the user's new program as root.
TEST_P(RunAsStoreTest, NormalUsersWriteNeverKeepsAnAccountTheyMayNotName) {
  Agent agent = AddAgent();
  User admin = AddUser("boss", "Administrator");
  User bob = AddUser("bob", "User", {"deploy"});
  ASSERT_OK_AND_ASSIGN(Task task,
                       store().CreateTask(TaskKind::kApp, AsUser(Input(agent.id, "a"), "root"),
                                          admin.id));
  EXPECT_EQ(task.input.user, "root");

  TaskInput edit = task.input;
  edit.program = "/bin/sh";
  ASSERT_OK_AND_ASSIGN(Task edited, store().UpdateTask(TaskKind::kApp, task.id, edit, bob.id));
  EXPECT_EQ(edited.input.user, "");
  EXPECT_EQ(edited.input.program, "/bin/sh");

  ASSERT_OK_AND_ASSIGN(Task copy, store().CreateTask(TaskKind::kJob,
                                                     AsUser(Input(agent.id, "c"), "root"), bob.id));
  EXPECT_EQ(copy.input.user, "");
  ASSERT_OK_AND_ASSIGN(Task granted,
                       store().CreateTask(TaskKind::kTiming,
                                          AsUser(Input(agent.id, "t"), "deploy"), bob.id));
  EXPECT_EQ(granted.input.user, "deploy");
}

TEST_P(RunAsStoreTest, DemotionResetsTheirAccountsAndListsTheirTasksAtOnce) {
  Agent agent = AddAgent();
  Agent other = AddAgent("10.0.0.2");
  User alice = AddUser("alice", "Administrator");
  User bob = AddUser("bob", "User");
  ASSERT_OK_AND_ASSIGN(Task root_app,
                       store().CreateTask(TaskKind::kApp, AsUser(Input(agent.id, "r"), "root"),
                                          alice.id));
  ASSERT_OK_AND_ASSIGN(Task plain_job,
                       store().CreateTask(TaskKind::kJob, Input(other.id, "j"), alice.id));
  // bob's task, to which alice gave an account while she was an administrator.
  ASSERT_OK_AND_ASSIGN(Task bobs, store().CreateTask(TaskKind::kApp, Input(agent.id, "b"), bob.id));
  TaskInput named = bobs.input;
  named.user = "www-data";
  ASSERT_OK(store().UpdateTask(TaskKind::kApp, bobs.id, named, alice.id).status());
  ASSERT_OK_AND_ASSIGN(Task untouched,
                       store().CreateTask(TaskKind::kApp, AsUser(Input(agent.id, "u"), "daemon"),
                                          AddUser("carol", "Administrator").id));
  int64_t v_agent = store().AssignmentVersion(agent.id).value_or(-1);
  int64_t v_other = store().AssignmentVersion(other.id).value_or(-1);

  std::vector<TaskRef> rechecked;
  UserUpdate demote;
  demote.role = "User";
  ASSERT_OK(store().UpdateUser(alice.id, demote, &rechecked).status());
  EXPECT_THAT(rechecked, UnorderedElementsAre(TaskRef{TaskKind::kApp, root_app.id, agent.id},
                                              TaskRef{TaskKind::kJob, plain_job.id, other.id},
                                              TaskRef{TaskKind::kApp, bobs.id, agent.id}));
  EXPECT_EQ(store().GetTask(TaskKind::kApp, root_app.id)->input.user, "");
  EXPECT_EQ(store().GetTask(TaskKind::kApp, bobs.id)->input.user, "");
  EXPECT_EQ(store().GetTask(TaskKind::kApp, untouched.id)->input.user, "daemon");
  EXPECT_EQ(store().AssignmentVersion(agent.id).value_or(-1), v_agent + 1);
  EXPECT_EQ(store().AssignmentVersion(other.id).value_or(-1), v_other + 1);

  // A change that touches neither role nor allow list re-checks nothing.
  UserUpdate nick;
  nick.nickname = "alice2";
  rechecked.clear();
  ASSERT_OK(store().UpdateUser(alice.id, nick, &rechecked).status());
  EXPECT_TRUE(rechecked.empty());
}

TEST_P(RunAsStoreTest, ShrinkingTheAllowListResetsWhatItNoLongerGrants) {
  Agent agent = AddAgent();
  User bob = AddUser("bob", "User", {"deploy", "web"});
  ASSERT_OK_AND_ASSIGN(Task t, store().CreateTask(TaskKind::kApp,
                                                  AsUser(Input(agent.id, "a"), "deploy"), bob.id));
  ASSERT_OK_AND_ASSIGN(Task w, store().CreateTask(TaskKind::kApp,
                                                  AsUser(Input(agent.id, "b"), "web"), bob.id));
  UserUpdate shrink;
  shrink.run_as = std::vector<std::string>{"web"};
  ASSERT_OK_AND_ASSIGN(User after, store().UpdateUser(bob.id, shrink));
  EXPECT_THAT(after.run_as, ElementsAre("web"));
  EXPECT_EQ(store().GetTask(TaskKind::kApp, t.id)->input.user, "");
  EXPECT_EQ(store().GetTask(TaskKind::kApp, w.id)->input.user, "web");
}

TEST_P(RunAsStoreTest, AnAgentKeepsTheKeyItFirstRegisteredWith) {
  AgentRegistration reg{"10.0.0.9", "27149", "m", "u1", 1, "hash-a"};
  ASSERT_OK_AND_ASSIGN(Agent first, store().RegisterAgent(reg, T0()));
  EXPECT_EQ(first.key_hash, "hash-a");
  reg.key_hash = "hash-b";
  reg.uuid = "u2";
  absl::StatusOr<Agent> other = store().RegisterAgent(reg, T0());
  EXPECT_TRUE(absl::IsPermissionDenied(other.status())) << other.status();
  EXPECT_EQ(store().GetAgent(first.id)->uuid, "u1");  // nothing changed
  ASSERT_OK(store().ResetAgentKey(first.id));
  ASSERT_OK_AND_ASSIGN(Agent again, store().RegisterAgent(reg, T0()));
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(again.key_hash, "hash-b");
}

ASGARD_INSTANTIATE_BACKENDS(RunAsStoreTest);

}  // namespace
}  // namespace asgard::store
