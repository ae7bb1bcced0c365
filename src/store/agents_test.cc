// File: agents_test.cc
// The agent registry on both backends: registration, heartbeats, the offline sweep and
// forbidden agents.
#include "store/store_test_fixture.h"

namespace asgard::store {
namespace {

class AgentsTest : public StoreTest {};

TEST_P(AgentsTest, RegisterCreatesOnlineAgentAndReRegisterKeepsItsId) {
  Agent a = AddAgent("10.0.0.1", "27149");
  EXPECT_GT(a.id, 0);
  EXPECT_EQ(a.status, kAgentOnline);
  EXPECT_EQ(a.master, "master-1");
  EXPECT_EQ(a.uuid, "uuid-10.0.0.1");
  ASSERT_TRUE(a.last_heartbeat_at.has_value());
  EXPECT_EQ(*a.last_heartbeat_at, T0());

  ASSERT_OK_AND_ASSIGN(Agent again,
                       store().RegisterAgent({"10.0.0.1", "27149", "master-2", "new-uuid", 200},
                                             T0() + absl::Minutes(1)));
  EXPECT_EQ(again.id, a.id);
  EXPECT_EQ(again.master, "master-2");
  EXPECT_EQ(again.uuid, "new-uuid");
  EXPECT_EQ(again.pid, 200);
  ASSERT_OK_AND_ASSIGN(auto all, store().ListAgents());
  EXPECT_EQ(all.size(), 1u);
  ASSERT_OK_AND_ASSIGN(Agent found, store().FindAgent("10.0.0.1", "27149"));
  EXPECT_EQ(found.id, a.id);
  EXPECT_TRUE(absl::IsNotFound(store().FindAgent("10.0.0.1", "1").status()));
  EXPECT_TRUE(absl::IsNotFound(store().GetAgent(9999).status()));
}

TEST_P(AgentsTest, ForbiddenAgentStaysForbidden) {
  Agent a = AddAgent();
  ASSERT_OK_AND_ASSIGN(Task app, store().CreateTask(TaskKind::kApp, Input(a.id, "api"), 1));
  ASSERT_OK(store().ForbidAgent(a.id, 1));

  ASSERT_OK_AND_ASSIGN(Agent again,
                       store().RegisterAgent({"10.0.0.1", "27149", "m", "other-uuid", 5}, T0()));
  EXPECT_TRUE(again.forbidden());
  EXPECT_EQ(again.uuid, a.uuid);  // unchanged
  ASSERT_OK_AND_ASSIGN(Agent beat, store().Heartbeat(a.id, T0() + absl::Seconds(5)));
  EXPECT_TRUE(beat.forbidden());
  ASSERT_OK_AND_ASSIGN(auto offline, store().MarkOfflineBefore(T0() + absl::Hours(1)));
  EXPECT_TRUE(offline.empty());
  ASSERT_OK_AND_ASSIGN(Agent now, store().GetAgent(a.id));
  EXPECT_EQ(now.status, kAgentForbidden);
  ASSERT_OK_AND_ASSIGN(Task gone, store().GetTask(TaskKind::kApp, app.id));
  EXPECT_EQ(gone.status, kTaskDeleted);  // as the original: the agent's tasks are deleted
}

TEST_P(AgentsTest, DatabaseTimeIsTheServersClock) {
  ASSERT_OK_AND_ASSIGN(absl::Time db_now, store().DatabaseTime());
  // Same host in the tests: the server's clock and ours agree to well within a second.
  EXPECT_LT(absl::AbsDuration(db_now - absl::Now()), absl::Seconds(2));
  ASSERT_OK_AND_ASSIGN(absl::Time later, store().DatabaseTime());
  EXPECT_GE(later, db_now);
}

TEST_P(AgentsTest, AStaleLeadersSweepIsRefusedOnceALaterLeaderClaimed) {
  Agent stale = AddAgent("10.0.0.1");
  const LeaderFence first{"c1", 100}, later{"c1", 250}, other_cluster{"c2", 5};
  ASSERT_OK_AND_ASSIGN(bool claimed, store().ClaimLeadership(first));
  EXPECT_TRUE(claimed);
  ASSERT_OK_AND_ASSIGN(claimed, store().ClaimLeadership(first));
  EXPECT_TRUE(claimed) << "claiming again is fine";
  ASSERT_OK_AND_ASSIGN(claimed, store().ClaimLeadership(later));
  EXPECT_TRUE(claimed);
  ASSERT_OK_AND_ASSIGN(claimed, store().ClaimLeadership(first));
  EXPECT_FALSE(claimed) << "an earlier epoch after a later one is stale";
  ASSERT_OK_AND_ASSIGN(claimed, store().ClaimLeadership(other_cluster));
  EXPECT_TRUE(claimed) << "clusters are apart";

  auto refused = store().MarkOfflineBefore(T0() + absl::Hours(1), first);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(refused.status())) << refused.status();
  ASSERT_OK_AND_ASSIGN(Agent untouched, store().GetAgent(stale.id));
  EXPECT_EQ(untouched.status, kAgentOnline) << "the stale leader's sweep changed nothing";
  ASSERT_OK_AND_ASSIGN(auto swept, store().MarkOfflineBefore(T0() + absl::Hours(1), later));
  EXPECT_EQ(swept, std::vector<int64_t>{stale.id});
}

TEST_P(AgentsTest, MarkOfflineBeforeSetsObservedStateUnknownButNeverDesired) {
  Agent stale = AddAgent("10.0.0.1");
  Agent fresh = AddAgent("10.0.0.2");
  TaskInput run = Input(stale.id, "runs");
  run.desired = Desired::kRun;
  ASSERT_OK_AND_ASSIGN(Task running, store().CreateTask(TaskKind::kApp, run, 1));
  ASSERT_OK_AND_ASSIGN(Task paused, store().CreateTask(TaskKind::kJob, Input(stale.id, "p"), 1));
  ASSERT_OK_AND_ASSIGN(Task other, store().CreateTask(TaskKind::kApp, run, 1));
  ASSERT_OK(store().UpdateTask(TaskKind::kApp, other.id, Input(fresh.id, "other"), 1).status());
  ASSERT_OK(store().SetDesired(TaskKind::kApp, other.id, Desired::kRun, 1).status());
  ASSERT_OK(store().RecordObserved(stale.id, {Seen(TaskKind::kApp, running.id, "running", 42)},
                                   T0() + absl::Seconds(1)));
  ASSERT_OK(store().RecordObserved(fresh.id, {Seen(TaskKind::kApp, other.id, "running", 43)},
                                   T0() + absl::Seconds(1)));
  ASSERT_OK(store().Heartbeat(fresh.id, T0() + absl::Seconds(20)).status());
  ASSERT_OK_AND_ASSIGN(int64_t version_before, store().AssignmentVersion(stale.id));

  ASSERT_OK_AND_ASSIGN(auto offline, store().MarkOfflineBefore(T0() + absl::Seconds(10)));
  EXPECT_EQ(offline, std::vector<int64_t>{stale.id});

  ASSERT_OK_AND_ASSIGN(Agent s, store().GetAgent(stale.id));
  EXPECT_EQ(s.status, kAgentOffline);
  ASSERT_OK_AND_ASSIGN(Agent f, store().GetAgent(fresh.id));
  EXPECT_EQ(f.status, kAgentOnline);
  ASSERT_OK_AND_ASSIGN(Task r, store().GetTask(TaskKind::kApp, running.id));
  EXPECT_EQ(r.observed.state, kStateUnknown);
  EXPECT_EQ(r.status, kTaskUnknown);
  EXPECT_EQ(r.desired, Desired::kRun);
  ASSERT_OK_AND_ASSIGN(Task p, store().GetTask(TaskKind::kJob, paused.id));
  EXPECT_EQ(p.status, kTaskPaused);
  EXPECT_EQ(p.desired, Desired::kPause);
  ASSERT_OK_AND_ASSIGN(Task o, store().GetTask(TaskKind::kApp, other.id));
  EXPECT_EQ(o.status, kTaskRunning);
  EXPECT_EQ(store().AssignmentVersion(stale.id).value_or(-1), version_before);

  // A later heartbeat brings it back online; a second sweep finds nothing.
  ASSERT_OK(store().Heartbeat(stale.id, T0() + absl::Seconds(30)).status());
  ASSERT_OK_AND_ASSIGN(auto again, store().MarkOfflineBefore(T0() + absl::Seconds(15)));
  EXPECT_TRUE(again.empty());
}

TEST_P(AgentsTest, MarkOfflineBeforeTakesManyAgentsAtOnce) {
  // More agents than one IN list holds (256), each with a running app.
  std::vector<int64_t> apps;
  for (int i = 0; i < 300; ++i) {
    Agent a = AddAgent("10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250));
    TaskInput run = Input(a.id, "app-" + std::to_string(i));
    run.desired = Desired::kRun;
    ASSERT_OK_AND_ASSIGN(Task t, store().CreateTask(TaskKind::kApp, run, 1));
    ASSERT_OK(store().RecordObserved(a.id, {Seen(TaskKind::kApp, t.id, "running", 1000 + i)},
                                     T0() + absl::Seconds(1)));
    apps.push_back(t.id);
  }
  Agent fresh = AddAgent("10.0.0.9");
  ASSERT_OK(store().Heartbeat(fresh.id, T0() + absl::Seconds(20)).status());
  ASSERT_OK_AND_ASSIGN(auto offline, store().MarkOfflineBefore(T0() + absl::Seconds(10)));
  EXPECT_EQ(offline.size(), 300u);
  for (int64_t id : offline) {
    ASSERT_OK_AND_ASSIGN(Agent a, store().GetAgent(id));
    EXPECT_EQ(a.status, kAgentOffline) << id;
  }
  for (int64_t id : apps) {
    ASSERT_OK_AND_ASSIGN(Task t, store().GetTask(TaskKind::kApp, id));
    EXPECT_EQ(t.observed.state, kStateUnknown) << id;
    EXPECT_EQ(t.status, kTaskUnknown) << id;
  }
  ASSERT_OK_AND_ASSIGN(Agent f, store().GetAgent(fresh.id));
  EXPECT_EQ(f.status, kAgentOnline);
}

ASGARD_INSTANTIATE_BACKENDS(AgentsTest);

}  // namespace
}  // namespace asgard::store
