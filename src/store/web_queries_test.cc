// File: web_queries_test.cc
// The web node's lists and edits on both backends: paging (total, order, clamping) and filters
// of archives, exceptions (scoped to a creator's tasks) and operations; group and user edits
// with their conflicts; the dashboard's counts; many monitor samples in one report.
#include <string>
#include <vector>

#include "store/store_test_fixture.h"

namespace asgard::store {
namespace {

class WebQueriesTest : public StoreTest {
 protected:
  // `n` archives of task (type, related_id), the i-th with uuid "<prefix><i>", in one batch.
  void AddArchives(int type, int64_t related_id, int n, const std::string& prefix = "run-") {
    std::vector<ArchiveRecord> batch;
    for (int i = 0; i < n; ++i) {
      ArchiveRecord a;
      a.type = type;
      a.related_id = related_id;
      a.uuid = prefix + std::to_string(i);
      a.begin_time = a.end_time = a.created_at = T0() + absl::Seconds(i);
      batch.push_back(a);
    }
    ASSERT_OK_AND_ASSIGN(int stored, store().InsertArchives(batch));
    ASSERT_EQ(stored, n);
  }

  static ExceptionRecord Exception(int type, int64_t related_id, const std::string& uuid) {
    ExceptionRecord e;
    e.type = type;
    e.related_id = related_id;
    e.uuid = uuid;
    e.desc = "failed: " + uuid;
    e.created_at = T0();
    return e;
  }

  static std::vector<std::string> Uuids(const std::vector<ExceptionRecord>& items) {
    std::vector<std::string> out;
    for (const auto& e : items) out.push_back(e.uuid);
    return out;
  }

  User AddUser(const std::string& nickname, const std::string& email,
               const std::string& mobile = "") {
    User u;
    u.nickname = nickname;
    u.email = email;
    u.mobile = mobile;
    absl::StatusOr<User> created = store().CreateUser(u, "secret-" + nickname);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.value_or(User{});
  }
};

// --- Archives ---------------------------------------------------------------------------------

TEST_P(WebQueriesTest, ArchivesPageNewestFirstWithTotal) {
  AddArchives(2, 7, 5);
  AddArchives(3, 7, 2, "job-");  // same related_id, another kind: not counted
  ASSERT_OK_AND_ASSIGN(auto page, store().ListArchivesPage(2, 7, 2, 2));
  EXPECT_EQ(page.total, 5);
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].uuid, "run-2");
  EXPECT_EQ(page.items[1].uuid, "run-1");
  EXPECT_GT(page.items[0].id, page.items[1].id);
  EXPECT_GT(page.items[1].id, 0);
  EXPECT_EQ(page.items[0].type, 2);
  EXPECT_EQ(page.items[0].related_id, 7);
  EXPECT_EQ(page.items[0].begin_time, T0() + absl::Seconds(2));

  ASSERT_OK_AND_ASSIGN(auto last, store().ListArchivesPage(2, 7, 3, 2));
  ASSERT_EQ(last.items.size(), 1u);
  EXPECT_EQ(last.items[0].uuid, "run-0");
  ASSERT_OK_AND_ASSIGN(auto beyond, store().ListArchivesPage(2, 7, 4, 2));
  EXPECT_TRUE(beyond.items.empty());
  EXPECT_EQ(beyond.total, 5);
  ASSERT_OK_AND_ASSIGN(auto none, store().ListArchivesPage(2, 8, 1, 20));
  EXPECT_EQ(none.total, 0);
  EXPECT_TRUE(none.items.empty());
}

TEST_P(WebQueriesTest, ArchivesPageClampsPageAndSize) {
  AddArchives(2, 7, 3);
  ASSERT_OK_AND_ASSIGN(auto page_zero, store().ListArchivesPage(2, 7, 0, 2));  // reads as 1
  ASSERT_EQ(page_zero.items.size(), 2u);
  EXPECT_EQ(page_zero.items[0].uuid, "run-2");
  ASSERT_OK_AND_ASSIGN(auto negative, store().ListArchivesPage(2, 7, -5, 2));
  ASSERT_EQ(negative.items.size(), 2u);
  EXPECT_EQ(negative.items[0].uuid, "run-2");
  ASSERT_OK_AND_ASSIGN(auto size_zero, store().ListArchivesPage(2, 7, 1, 0));  // reads as 1
  ASSERT_EQ(size_zero.items.size(), 1u);
  EXPECT_EQ(size_zero.items[0].uuid, "run-2");
  EXPECT_EQ(size_zero.total, 3);
  ASSERT_OK_AND_ASSIGN(auto second, store().ListArchivesPage(2, 7, 2, -1));
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_EQ(second.items[0].uuid, "run-1");
}

TEST_P(WebQueriesTest, ArchivesPageSizeIsCappedAtOneThousand) {
  AddArchives(4, 1, 1001);
  ASSERT_OK_AND_ASSIGN(auto first, store().ListArchivesPage(4, 1, 1, 5000));
  EXPECT_EQ(first.total, 1001);
  ASSERT_EQ(first.items.size(), 1000u);
  EXPECT_EQ(first.items.front().uuid, "run-1000");
  ASSERT_OK_AND_ASSIGN(auto second, store().ListArchivesPage(4, 1, 2, 5000));
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_EQ(second.items[0].uuid, "run-0");
}

TEST_P(WebQueriesTest, RecentListsCarryRowIds) {
  AddArchives(2, 7, 2);
  ASSERT_OK(store().InsertExceptions({Exception(2, 7, "e1"), Exception(2, 7, "e2")}).status());
  ASSERT_OK_AND_ASSIGN(auto archives, store().ListArchives(2, 7, 10));
  ASSERT_EQ(archives.size(), 2u);
  EXPECT_EQ(archives[0].uuid, "run-1");
  EXPECT_GT(archives[0].id, archives[1].id);
  EXPECT_GT(archives[1].id, 0);
  ASSERT_OK_AND_ASSIGN(auto exceptions, store().ListExceptions(10));
  ASSERT_EQ(exceptions.size(), 2u);
  EXPECT_EQ(exceptions[0].uuid, "e2");
  EXPECT_GT(exceptions[0].id, exceptions[1].id);
  EXPECT_GT(exceptions[1].id, 0);
  EXPECT_EQ(exceptions[0].desc, "failed: e2");
}

// --- Exceptions -------------------------------------------------------------------------------

TEST_P(WebQueriesTest, ExceptionsScopedToTheCreatorsTasks) {
  Agent agent = AddAgent();
  ASSERT_OK_AND_ASSIGN(Task app, store().CreateTask(TaskKind::kApp, Input(agent.id, "a"), 10));
  ASSERT_OK_AND_ASSIGN(Task job, store().CreateTask(TaskKind::kJob, Input(agent.id, "j"), 10));
  ASSERT_OK_AND_ASSIGN(Task timing,
                       store().CreateTask(TaskKind::kTiming, Input(agent.id, "t"), 10));
  ASSERT_OK_AND_ASSIGN(Task other, store().CreateTask(TaskKind::kJob, Input(agent.id, "b"), 11));
  // Ids of the three tables overlap (each starts at 1): only the row of the right kind counts.
  ASSERT_EQ(app.id, job.id);
  ASSERT_OK(store()
                .InsertExceptions({Exception(2, app.id, "app"), Exception(3, job.id, "job"),
                                   Exception(4, timing.id, "timing"),
                                   Exception(3, other.id, "other-job"),
                                   Exception(2, other.id, "no-such-app"),
                                   Exception(1, agent.id, "agent")})
                .status());

  ExceptionFilter mine;
  mine.creator = 10;
  ASSERT_OK_AND_ASSIGN(auto page, store().ListExceptionsPage(mine));
  EXPECT_EQ(page.total, 3);
  EXPECT_EQ(Uuids(page.items), (std::vector<std::string>{"timing", "job", "app"}));

  ExceptionFilter theirs;
  theirs.creator = 11;
  ASSERT_OK_AND_ASSIGN(auto other_page, store().ListExceptionsPage(theirs));
  EXPECT_EQ(Uuids(other_page.items), (std::vector<std::string>{"other-job"}));

  ExceptionFilter nobody;
  nobody.creator = 12;
  ASSERT_OK_AND_ASSIGN(auto empty, store().ListExceptionsPage(nobody));
  EXPECT_EQ(empty.total, 0);

  ExceptionFilter my_jobs;
  my_jobs.creator = 10;
  my_jobs.type = 3;
  ASSERT_OK_AND_ASSIGN(auto jobs, store().ListExceptionsPage(my_jobs));
  EXPECT_EQ(Uuids(jobs.items), (std::vector<std::string>{"job"}));

  ExceptionFilter my_agents;  // agents have no creator: never in a user's scope
  my_agents.creator = 10;
  my_agents.type = 1;
  ASSERT_OK_AND_ASSIGN(auto agents, store().ListExceptionsPage(my_agents));
  EXPECT_EQ(agents.total, 0);
}

TEST_P(WebQueriesTest, ExceptionsFilteredByTypeAndTaskAndPaged) {
  std::vector<ExceptionRecord> batch;
  for (int i = 0; i < 5; ++i) batch.push_back(Exception(2, 1, "app1-" + std::to_string(i)));
  batch.push_back(Exception(2, 2, "app2"));
  batch.push_back(Exception(3, 1, "job1"));
  ASSERT_OK(store().InsertExceptions(batch).status());

  ASSERT_OK_AND_ASSIGN(auto all, store().ListExceptionsPage(ExceptionFilter{}));
  EXPECT_EQ(all.total, 7);
  EXPECT_EQ(all.items.front().uuid, "job1");
  ExceptionFilter apps;
  apps.type = 2;
  ASSERT_OK_AND_ASSIGN(auto app_page, store().ListExceptionsPage(apps));
  EXPECT_EQ(app_page.total, 6);
  ExceptionFilter one_app;
  one_app.type = 2;
  one_app.related_id = 1;
  one_app.page = 2;
  one_app.size = 2;
  ASSERT_OK_AND_ASSIGN(auto second, store().ListExceptionsPage(one_app));
  EXPECT_EQ(second.total, 5);
  EXPECT_EQ(Uuids(second.items), (std::vector<std::string>{"app1-2", "app1-1"}));
  one_app.page = 0;
  one_app.size = 0;
  ASSERT_OK_AND_ASSIGN(auto clamped, store().ListExceptionsPage(one_app));
  EXPECT_EQ(Uuids(clamped.items), (std::vector<std::string>{"app1-4"}));
  ExceptionFilter related_only;  // related_id without type: every kind with that id
  related_only.related_id = 1;
  ASSERT_OK_AND_ASSIGN(auto by_related, store().ListExceptionsPage(related_only));
  EXPECT_EQ(by_related.total, 6);
}

// --- Operations -------------------------------------------------------------------------------

TEST_P(WebQueriesTest, OperationsNewestFirstFilteredByUserAndType) {
  for (int i = 0; i < 6; ++i) {
    Operation op;
    op.user_id = i % 2 + 1;  // users 1, 2, 1, 2, ...
    op.type = i < 3 ? 2 : 3;
    op.related_id = i;
    op.action = 1 + i % 3;
    op.created_at = T0() + absl::Seconds(i);
    ASSERT_OK(store().InsertOperation(op).status());
  }
  ASSERT_OK_AND_ASSIGN(auto all, store().ListOperations(OperationFilter{}));
  EXPECT_EQ(all.total, 6);
  ASSERT_EQ(all.items.size(), 6u);
  EXPECT_EQ(all.items[0].related_id, 5);
  EXPECT_EQ(all.items[0].action, 3);
  EXPECT_EQ(all.items[0].created_at, T0() + absl::Seconds(5));
  EXPECT_GT(all.items[0].id, all.items[1].id);

  OperationFilter f;
  f.user_id = 1;
  ASSERT_OK_AND_ASSIGN(auto user1, store().ListOperations(f));
  EXPECT_EQ(user1.total, 3);
  for (const auto& op : user1.items) EXPECT_EQ(op.user_id, 1);
  f.type = 3;
  ASSERT_OK_AND_ASSIGN(auto user1_type3, store().ListOperations(f));
  ASSERT_EQ(user1_type3.total, 1);
  EXPECT_EQ(user1_type3.items[0].related_id, 4);
  f.user_id = 3;
  ASSERT_OK_AND_ASSIGN(auto none, store().ListOperations(f));
  EXPECT_EQ(none.total, 0);

  OperationFilter paged;
  paged.page = 2;
  paged.size = 4;
  ASSERT_OK_AND_ASSIGN(auto second, store().ListOperations(paged));
  EXPECT_EQ(second.total, 6);
  ASSERT_EQ(second.items.size(), 2u);
  EXPECT_EQ(second.items[0].related_id, 1);
  EXPECT_EQ(second.items[1].related_id, 0);
  paged.page = -1;
  paged.size = 0;
  ASSERT_OK_AND_ASSIGN(auto clamped, store().ListOperations(paged));
  ASSERT_EQ(clamped.items.size(), 1u);
  EXPECT_EQ(clamped.items[0].related_id, 5);
}

// --- Groups -----------------------------------------------------------------------------------

TEST_P(WebQueriesTest, GroupsCarryCreatorAndUpdator) {
  ASSERT_OK_AND_ASSIGN(Group g, store().CreateGroup("web", 2));
  EXPECT_EQ(g.name, "web");
  EXPECT_EQ(g.status, 1);
  EXPECT_EQ(g.creator, 2);
  EXPECT_EQ(g.updator, 2);
  ASSERT_OK_AND_ASSIGN(Group renamed, store().UpdateGroup(g.id, "frontend", 3));
  EXPECT_EQ(renamed.name, "frontend");
  EXPECT_EQ(renamed.creator, 2);
  EXPECT_EQ(renamed.updator, 3);
  ASSERT_OK_AND_ASSIGN(Group read, store().GetGroup(g.id));
  EXPECT_EQ(read.name, "frontend");
  EXPECT_EQ(read.creator, 2);
  ASSERT_OK_AND_ASSIGN(Group same, store().UpdateGroup(g.id, "frontend", 3));  // own name
  EXPECT_EQ(same.name, "frontend");
}

TEST_P(WebQueriesTest, GroupsRenameDeleteAndNameConflicts) {
  ASSERT_OK_AND_ASSIGN(Group a, store().CreateGroup("web", 1));
  ASSERT_OK_AND_ASSIGN(Group b, store().CreateGroup("db", 2));
  absl::Status dup = store().CreateGroup("web", 3).status();
  EXPECT_TRUE(absl::IsAlreadyExists(dup)) << dup;
  EXPECT_NE(std::string(dup.message()).find("name"), std::string::npos) << dup;
  absl::Status taken = store().UpdateGroup(b.id, "web", 2).status();
  EXPECT_TRUE(absl::IsAlreadyExists(taken)) << taken;
  EXPECT_NE(std::string(taken.message()).find("name"), std::string::npos) << taken;
  EXPECT_EQ(store().GetGroup(b.id)->name, "db");
  EXPECT_TRUE(absl::IsInvalidArgument(store().CreateGroup("", 1).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(store().UpdateGroup(b.id, "", 1).status()));

  ASSERT_OK_AND_ASSIGN(Group renamed, store().UpdateGroup(a.id, "frontend", 1));
  EXPECT_EQ(renamed.name, "frontend");
  ASSERT_OK(store().DeleteGroup(a.id, 4));
  ASSERT_OK_AND_ASSIGN(Group deleted, store().GetGroup(a.id));
  EXPECT_EQ(deleted.status, -1);
  EXPECT_EQ(deleted.updator, 4);
  ASSERT_OK_AND_ASSIGN(auto live, store().ListGroups());
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].id, b.id);
  EXPECT_TRUE(absl::IsNotFound(store().DeleteGroup(a.id, 1)));
  EXPECT_TRUE(absl::IsNotFound(store().UpdateGroup(a.id, "x", 1).status()));
  EXPECT_TRUE(absl::IsNotFound(store().DeleteGroup(9999, 1)));
  EXPECT_TRUE(absl::IsNotFound(store().UpdateGroup(9999, "x", 1).status()));
  ASSERT_OK(store().CreateGroup("frontend", 1).status());  // a deleted group's name is free
}

TEST_P(WebQueriesTest, GroupStatusIsSetWhenGivenAndKeptOtherwise) {
  ASSERT_OK_AND_ASSIGN(Group off, store().CreateGroup("batch", 1, /*status=*/0));
  EXPECT_EQ(off.status, 0);
  ASSERT_OK_AND_ASSIGN(Group renamed, store().UpdateGroup(off.id, "batch-2", 1));
  EXPECT_EQ(renamed.status, 0);  // a rename alone does not enable it
  ASSERT_OK_AND_ASSIGN(Group on, store().UpdateGroup(off.id, "batch-2", 1, 1));
  EXPECT_EQ(on.status, 1);
  EXPECT_TRUE(absl::IsInvalidArgument(store().CreateGroup("x", 1, -1).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(store().UpdateGroup(on.id, "x", 1, 2).status()));
  EXPECT_EQ(store().GetGroup(on.id)->name, "batch-2");

  ASSERT_OK_AND_ASSIGN(Group gone, store().CreateGroup("gone", 1));
  ASSERT_OK(store().DeleteGroup(gone.id, 1));
  ASSERT_OK_AND_ASSIGN(auto live, store().ListGroups());
  EXPECT_EQ(live.size(), 1u);
  ASSERT_OK_AND_ASSIGN(auto all, store().ListGroups(/*include_deleted=*/true));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1].status, -1);
}

// --- Users and agents -------------------------------------------------------------------------

TEST_P(WebQueriesTest, UserEditsWriteOnlyTheFieldsGiven) {
  User bob = AddUser("bob", "bob@example.com");
  UserUpdate update;
  update.mobile = "13800000000";
  update.role = "Administrator";
  update.avatar = "/avatars/bob.png";
  ASSERT_OK_AND_ASSIGN(User updated, store().UpdateUser(bob.id, update));
  EXPECT_EQ(updated.mobile, "13800000000");
  EXPECT_EQ(updated.role, "Administrator");
  EXPECT_EQ(updated.avatar, "/avatars/bob.png");
  EXPECT_EQ(updated.nickname, "bob");
  EXPECT_EQ(updated.email, "bob@example.com");
  EXPECT_EQ(updated.password, bob.password);
  UserUpdate own;  // a user's own values are no conflict
  own.nickname = "bob";
  own.email = "bob@example.com";
  own.mobile = "13800000000";
  ASSERT_OK(store().UpdateUser(bob.id, own).status());
  UserUpdate rename;
  rename.nickname = "robert";
  ASSERT_OK_AND_ASSIGN(User renamed, store().UpdateUser(bob.id, rename));
  EXPECT_EQ(renamed.nickname, "robert");
  EXPECT_EQ(store().FindUser(UserKey::kNickname, "robert")->id, bob.id);
}

TEST_P(WebQueriesTest, UserEditsRefuseDuplicatesAndBadValues) {
  User alice = AddUser("alice", "alice@example.com", "13900000000");
  User bob = AddUser("bob", "bob@example.com");
  for (const auto& [field, value] :
       std::vector<std::pair<std::string, std::string>>{{"nickname", "alice"},
                                                        {"email", "alice@example.com"},
                                                        {"mobile", "13900000000"}}) {
    UserUpdate taken;
    if (field == "nickname") taken.nickname = value;
    if (field == "email") taken.email = value;
    if (field == "mobile") taken.mobile = value;
    absl::Status s = store().UpdateUser(bob.id, taken).status();
    EXPECT_TRUE(absl::IsAlreadyExists(s)) << field << ": " << s;
    EXPECT_NE(std::string(s.message()).find(field), std::string::npos) << s;
  }
  UserUpdate role;
  role.role = "God";
  EXPECT_TRUE(absl::IsInvalidArgument(store().UpdateUser(bob.id, role).status()));
  UserUpdate empty_nickname;
  empty_nickname.nickname = "";
  EXPECT_TRUE(absl::IsInvalidArgument(store().UpdateUser(bob.id, empty_nickname).status()));
  UserUpdate fine;
  fine.avatar = "x.png";
  EXPECT_TRUE(absl::IsNotFound(store().UpdateUser(9999, fine).status()));
  ASSERT_OK_AND_ASSIGN(User unchanged, store().GetUser(bob.id));
  EXPECT_EQ(unchanged.nickname, "bob");
  EXPECT_EQ(unchanged.role, "User");
  EXPECT_EQ(unchanged.avatar, "");
  User bad_role;
  bad_role.nickname = "carol";
  bad_role.role = "root";
  EXPECT_TRUE(absl::IsInvalidArgument(store().CreateUser(bad_role, "pw").status()));
  EXPECT_EQ(alice.status, 1);
}

TEST_P(WebQueriesTest, UserStatusIsOneZeroOrMinusOne) {
  User alice = AddUser("alice", "");
  ASSERT_OK(store().SetUserStatus(alice.id, -1));
  EXPECT_EQ(store().GetUser(alice.id)->status, -1);
  ASSERT_OK(store().SetUserStatus(alice.id, 0));
  EXPECT_EQ(store().GetUser(alice.id)->status, 0);
  ASSERT_OK(store().SetUserStatus(alice.id, 1));
  EXPECT_EQ(store().GetUser(alice.id)->status, 1);
  EXPECT_TRUE(absl::IsInvalidArgument(store().SetUserStatus(alice.id, 5)));
  EXPECT_TRUE(absl::IsInvalidArgument(store().SetUserStatus(alice.id, -2)));
  EXPECT_EQ(store().GetUser(alice.id)->status, 1);
  EXPECT_TRUE(absl::IsNotFound(store().SetUserStatus(9999, 1)));
}

TEST_P(WebQueriesTest, AgentAlias) {
  Agent agent = AddAgent();
  ASSERT_OK(store().SetAgentAlias(agent.id, "local"));
  EXPECT_EQ(store().GetAgent(agent.id)->alias, "local");
  ASSERT_OK(store().SetAgentAlias(agent.id, "local"));  // unchanged is still OK
  ASSERT_OK(store().SetAgentAlias(agent.id, ""));
  EXPECT_EQ(store().GetAgent(agent.id)->alias, "");
  EXPECT_TRUE(absl::IsNotFound(store().SetAgentAlias(9999, "x")));
}

// --- Dashboard --------------------------------------------------------------------------------

TEST_P(WebQueriesTest, TaskCountsByStatusForTheDashboard) {
  Agent agent = AddAgent();
  TaskInput run = Input(agent.id, "r");
  run.desired = Desired::kRun;
  ASSERT_OK_AND_ASSIGN(Task running, store().CreateTask(TaskKind::kApp, run, 1));
  ASSERT_OK(store().CreateTask(TaskKind::kApp, run, 2).status());
  ASSERT_OK(store().CreateTask(TaskKind::kApp, Input(agent.id, "p"), 1).status());
  ASSERT_OK(store().CreateTask(TaskKind::kApp, Input(agent.id, "q"), 2).status());
  ASSERT_OK_AND_ASSIGN(Task gone, store().CreateTask(TaskKind::kApp, Input(agent.id, "d"), 2));
  ASSERT_OK(store().DeleteTask(TaskKind::kApp, gone.id, 2));
  ASSERT_OK(store().CreateTask(TaskKind::kJob, Input(agent.id, "j"), 1).status());
  ASSERT_OK(store().RecordObserved(agent.id, {Seen(TaskKind::kApp, running.id, "running", 42)},
                                   T0()));

  ASSERT_OK_AND_ASSIGN(auto all, store().CountTasksByStatus(TaskKind::kApp, std::nullopt));
  EXPECT_EQ(all, (std::map<int, int64_t>{{kTaskUnknown, 1}, {kTaskRunning, 1}, {kTaskPaused, 2}}));
  ASSERT_OK_AND_ASSIGN(auto mine, store().CountTasksByStatus(TaskKind::kApp, 2));
  EXPECT_EQ(mine, (std::map<int, int64_t>{{kTaskUnknown, 1}, {kTaskPaused, 1}}));
  ASSERT_OK_AND_ASSIGN(auto jobs, store().CountTasksByStatus(TaskKind::kJob, std::nullopt));
  EXPECT_EQ(jobs, (std::map<int, int64_t>{{kTaskPaused, 1}}));
  ASSERT_OK_AND_ASSIGN(auto timings, store().CountTasksByStatus(TaskKind::kTiming, 1));
  EXPECT_TRUE(timings.empty());
}

TEST_P(WebQueriesTest, AgentCountsByStatusForTheDashboard) {
  ASSERT_OK_AND_ASSIGN(auto empty, store().CountAgentsByStatus());
  EXPECT_TRUE(empty.empty());
  AddAgent("10.0.0.1");
  Agent old = AddAgent("10.0.0.2");
  Agent bad = AddAgent("10.0.0.3");
  AddAgent("10.0.0.4");
  ASSERT_OK(store().Heartbeat(old.id, T0() - absl::Hours(1)).status());
  ASSERT_OK_AND_ASSIGN(auto offline, store().MarkOfflineBefore(T0() - absl::Minutes(30)));
  ASSERT_EQ(offline, std::vector<int64_t>{old.id});
  ASSERT_OK(store().ForbidAgent(bad.id, 1));
  ASSERT_OK_AND_ASSIGN(auto counts, store().CountAgentsByStatus());
  EXPECT_EQ(counts, (std::map<int, int64_t>{
                        {kAgentForbidden, 1}, {kAgentOffline, 1}, {kAgentOnline, 2}}));
}

// --- Reports at volume ------------------------------------------------------------------------

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

// --- Names of a page of tasks -------------------------------------------------------------------

TEST_P(WebQueriesTest, GetAgentsAndGroupsByIdsInOneCall) {
  Agent a = AddAgent("10.0.0.1");
  Agent b = AddAgent("10.0.0.2");
  Agent c = AddAgent("10.0.0.3");
  ASSERT_OK(store().SetAgentAlias(b.id, "bee"));
  ASSERT_OK_AND_ASSIGN(auto agents, store().GetAgents({c.id, a.id, 999, c.id}));
  ASSERT_EQ(agents.size(), 2u);
  EXPECT_EQ(agents.at(a.id).ip, "10.0.0.1");
  EXPECT_EQ(agents.at(c.id).ip, "10.0.0.3");
  // More ids than one statement takes (256), most of them unknown; 5 ids pad to 8.
  std::vector<int64_t> many;
  for (int64_t id = 1000; id < 1300; ++id) many.push_back(id);
  many.push_back(b.id);
  ASSERT_OK_AND_ASSIGN(agents, store().GetAgents(many));
  ASSERT_EQ(agents.size(), 1u);
  EXPECT_EQ(agents.at(b.id).alias, "bee");
  ASSERT_OK_AND_ASSIGN(agents, store().GetAgents({a.id, b.id, c.id, 998, 999}));
  EXPECT_EQ(agents.size(), 3u);
  ASSERT_OK_AND_ASSIGN(agents, store().GetAgents({}));
  EXPECT_TRUE(agents.empty());

  ASSERT_OK_AND_ASSIGN(Group web, store().CreateGroup("web", 1));
  ASSERT_OK_AND_ASSIGN(Group old, store().CreateGroup("old", 1));
  ASSERT_OK(store().DeleteGroup(old.id, 1));
  ASSERT_OK_AND_ASSIGN(auto groups, store().GetGroups({web.id, old.id, 77}));
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups.at(web.id).name, "web");
  EXPECT_EQ(groups.at(old.id).status, -1);  // deleted ones too, as GetGroup
}

ASGARD_INSTANTIATE_BACKENDS(WebQueriesTest);

}  // namespace
}  // namespace asgard::store
