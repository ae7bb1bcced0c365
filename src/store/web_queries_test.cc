// File: web_queries_test.cc
// The web node's lists and edits on both backends: paging and filters of archives, exceptions
// (scoped to a creator's tasks) and operations, group and user edits with their conflicts, the
// dashboard's counts, and many monitor samples in one report.
#include "store/store_test_fixture.h"

namespace asgard::store {
namespace {

class WebQueriesTest : public StoreTest {};

TEST_P(WebQueriesTest, ArchivesPageNewestFirstWithTotal) {
  std::vector<ArchiveRecord> batch;
  for (int i = 0; i < 5; ++i) {
    ArchiveRecord a;
    a.type = 2;
    a.related_id = 7;
    a.uuid = "run-" + std::to_string(i);
    a.begin_time = a.end_time = a.created_at = T0() + absl::Seconds(i);
    batch.push_back(a);
  }
  ASSERT_OK(store().InsertArchives(batch).status());
  ASSERT_OK_AND_ASSIGN(auto page, store().ListArchivesPage(2, 7, 2, 2));
  EXPECT_EQ(page.total, 5);
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].uuid, "run-2");
  EXPECT_GT(page.items[0].id, page.items[1].id);
  ASSERT_OK_AND_ASSIGN(auto none, store().ListArchivesPage(2, 8, 1, 20));
  EXPECT_EQ(none.total, 0);
}

TEST_P(WebQueriesTest, ExceptionsScopedToTheCreatorsTasks) {
  Agent agent = AddAgent();
  ASSERT_OK_AND_ASSIGN(Task mine, store().CreateTask(TaskKind::kApp, Input(agent.id, "a"), 10));
  ASSERT_OK_AND_ASSIGN(Task theirs, store().CreateTask(TaskKind::kJob, Input(agent.id, "b"), 11));
  std::vector<ExceptionRecord> batch = {
      {2, mine.id, "u1", 0, "start fail: x", T0()},
      {3, theirs.id, "u2", 0, "finished unseccessed with status: 1", T0()},
      {1, agent.id, "u3", 0, "agent offline", T0()}};
  ASSERT_OK(store().InsertExceptions(batch).status());
  ExceptionFilter f;
  f.creator = 10;
  ASSERT_OK_AND_ASSIGN(auto page, store().ListExceptionsPage(f));
  ASSERT_EQ(page.total, 1);
  EXPECT_EQ(page.items[0].related_id, mine.id);
  ExceptionFilter by_type;
  by_type.type = 3;
  ASSERT_OK_AND_ASSIGN(auto jobs, store().ListExceptionsPage(by_type));
  EXPECT_EQ(jobs.total, 1);
  ASSERT_OK_AND_ASSIGN(auto all, store().ListExceptionsPage(ExceptionFilter{}));
  EXPECT_EQ(all.total, 3);
}

TEST_P(WebQueriesTest, OperationsFilteredByUserAndType) {
  for (int i = 0; i < 4; ++i) {
    Operation op;
    op.user_id = i % 2 + 1;
    op.type = 2 + i % 2;
    op.related_id = i;
    op.action = 1;
    op.created_at = T0();
    ASSERT_OK(store().InsertOperation(op).status());
  }
  OperationFilter f;
  f.user_id = 1;
  ASSERT_OK_AND_ASSIGN(auto page, store().ListOperations(f));
  EXPECT_EQ(page.total, 2);
  for (const auto& op : page.items) EXPECT_EQ(op.user_id, 1);
  f.type = 3;
  ASSERT_OK_AND_ASSIGN(auto none, store().ListOperations(f));
  EXPECT_EQ(none.total, 0);
}

TEST_P(WebQueriesTest, GroupsRenameDeleteAndNameConflicts) {
  ASSERT_OK_AND_ASSIGN(Group a, store().CreateGroup("web", 1));
  ASSERT_OK_AND_ASSIGN(Group b, store().CreateGroup("db", 2));
  EXPECT_EQ(b.creator, 2);
  EXPECT_TRUE(absl::IsAlreadyExists(store().CreateGroup("web", 3).status()));
  EXPECT_TRUE(absl::IsAlreadyExists(store().UpdateGroup(b.id, "web", 2).status()));
  ASSERT_OK_AND_ASSIGN(Group renamed, store().UpdateGroup(a.id, "frontend", 1));
  EXPECT_EQ(renamed.name, "frontend");
  ASSERT_OK(store().DeleteGroup(a.id, 1));
  EXPECT_TRUE(absl::IsNotFound(store().DeleteGroup(a.id, 1)));
  EXPECT_TRUE(absl::IsNotFound(store().UpdateGroup(a.id, "x", 1).status()));
  ASSERT_OK(store().CreateGroup("frontend", 1).status());  // a deleted name is free again
}

TEST_P(WebQueriesTest, UserEditsRefuseDuplicatesAndBadValues) {
  User u;
  u.nickname = "alice";
  u.email = "alice@example.com";
  ASSERT_OK_AND_ASSIGN(User alice, store().CreateUser(u, "secret-1"));
  u.nickname = "bob";
  u.email = "bob@example.com";
  ASSERT_OK_AND_ASSIGN(User bob, store().CreateUser(u, "secret-2"));
  UserUpdate taken;
  taken.email = "alice@example.com";
  auto r = store().UpdateUser(bob.id, taken);
  ASSERT_TRUE(absl::IsAlreadyExists(r.status()));
  EXPECT_NE(std::string(r.status().message()).find("email"), std::string::npos);
  UserUpdate role;
  role.role = "God";
  EXPECT_TRUE(absl::IsInvalidArgument(store().UpdateUser(bob.id, role).status()));
  UserUpdate ok;
  ok.mobile = "13800000000";
  ok.role = "Administrator";
  ASSERT_OK_AND_ASSIGN(User updated, store().UpdateUser(bob.id, ok));
  EXPECT_EQ(updated.mobile, "13800000000");
  EXPECT_EQ(updated.role, "Administrator");
  EXPECT_EQ(updated.email, "bob@example.com");
  ASSERT_OK(store().SetUserStatus(alice.id, -1));
  EXPECT_EQ(store().GetUser(alice.id)->status, -1);
  EXPECT_TRUE(absl::IsInvalidArgument(store().SetUserStatus(alice.id, 5)));
  EXPECT_TRUE(absl::IsNotFound(store().SetUserStatus(9999, 1)));
  EXPECT_TRUE(absl::IsNotFound(store().SetAgentAlias(9999, "x")));
}

TEST_P(WebQueriesTest, CountsByStatusForTheDashboard) {
  Agent agent = AddAgent();
  ASSERT_OK(store().SetAgentAlias(agent.id, "local"));
  EXPECT_EQ(store().GetAgent(agent.id)->alias, "local");
  TaskInput run = Input(agent.id, "r");
  run.desired = Desired::kRun;
  ASSERT_OK(store().CreateTask(TaskKind::kApp, run, 1).status());
  ASSERT_OK(store().CreateTask(TaskKind::kApp, Input(agent.id, "p"), 1).status());
  ASSERT_OK(store().CreateTask(TaskKind::kApp, Input(agent.id, "q"), 2).status());
  ASSERT_OK_AND_ASSIGN(auto all, store().CountTasksByStatus(TaskKind::kApp, std::nullopt));
  EXPECT_EQ(all[kTaskPaused], 2);
  EXPECT_EQ(all[kTaskUnknown], 1);  // desired run, not observed yet
  ASSERT_OK_AND_ASSIGN(auto mine, store().CountTasksByStatus(TaskKind::kApp, 2));
  EXPECT_EQ(mine[kTaskPaused], 1);
  EXPECT_EQ(mine.count(kTaskUnknown), 0u);
  ASSERT_OK_AND_ASSIGN(auto agents, store().CountAgentsByStatus());
  EXPECT_EQ(agents[kAgentOnline], 1);
}

TEST_P(WebQueriesTest, ManySamplesInOneReportAreStoredOnceEach) {
  std::vector<MonitorSample> batch;
  for (int i = 0; i < 1234; ++i) {
    MonitorSample m;
    m.type = 2;
    m.related_id = 1;
    m.uuid = "stream";
    m.seq = i;
    m.cpu = i;
    m.created_at = T0();
    batch.push_back(m);
  }
  ASSERT_OK_AND_ASSIGN(int n, store().InsertMonitors(batch));
  EXPECT_EQ(n, 1234);
  ASSERT_OK_AND_ASSIGN(int again, store().InsertMonitors(batch));
  EXPECT_EQ(again, 0);
  ASSERT_OK_AND_ASSIGN(auto got, store().QueryMonitors(2, 1, T0() - absl::Hours(1),
                                                        T0() + absl::Hours(1), 100000));
  EXPECT_EQ(got.size(), 1234u);
}

ASGARD_INSTANTIATE_BACKENDS(WebQueriesTest);

}  // namespace
}  // namespace asgard::store
