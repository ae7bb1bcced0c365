#include "rpc/task_definition.h"

#include <csignal>

#include "gtest/gtest.h"

namespace asgard::rpc {
namespace {

TEST(ToDefinitionTest, CarriesEveryFieldDesiredStateAndOwner) {
  store::Task t;
  t.kind = store::TaskKind::kJob;
  t.id = 42;
  t.creator = 5;
  t.desired = store::Desired::kRun;
  t.input.name = "backup";
  t.input.program = "/bin/tar";
  t.input.args = "czf /tmp/x.tgz /etc";
  t.input.env = {{"A", "1"}};
  t.input.stop_signal = *Signal::Parse("INT");
  t.input.spec = "*/5 * * * *";
  t.input.concurrency = runtime::Concurrency::kReplace;
  t.input.max_concurrent = 3;
  t.input.timeout = 30;
  v1::TaskDefinition d = ToDefinition(t, {5, /*admin=*/true});
  EXPECT_EQ(d.ref().kind(), v1::TASK_KIND_JOB);
  EXPECT_FALSE(d.as_task_user());
  EXPECT_EQ(d.owner_id(), 5);
  EXPECT_EQ(d.ref().id(), 42);
  EXPECT_EQ(d.desired(), v1::DESIRED_RUN);
  EXPECT_EQ(d.name(), "backup");
  EXPECT_EQ(d.args(), "czf /tmp/x.tgz /etc");
  EXPECT_EQ(d.env().at("A"), "1");
  EXPECT_EQ(d.stop_signal(), 2);
  EXPECT_EQ(d.spec(), "*/5 * * * *");
  EXPECT_EQ(d.concurrency_mode(), v1::CONCURRENCY_REPLACE);
  EXPECT_EQ(d.concurrency(), "replace");  // the text an agent of the previous version reads
  EXPECT_EQ(d.max_concurrent(), 3);
  EXPECT_EQ(d.timeout(), 30);
  t.desired = store::Desired::kPause;
  EXPECT_EQ(ToDefinition(t, {5, true}).desired(), v1::DESIRED_PAUSE);
  EXPECT_TRUE(ToDefinition(t, {5, false}).as_task_user());
}

// A row's signal was parsed when the store read it (a row no signal parses is an error there,
// tasks_test.cc): the wire carries its number, never a guess.
TEST(ToDefinitionTest, StopSignalGoesAsItsNumber) {
  store::Task t;
  t.kind = store::TaskKind::kApp;
  t.id = 7;
  t.input.stop_signal = *Signal::Parse("SIGUSR1");
  EXPECT_EQ(ToDefinition(t, {}).stop_signal(), SIGUSR1);
  EXPECT_EQ(ToDefinition(store::Task{}, {}).stop_signal(), SIGTERM);  // the default row
}

TEST(AssignmentOrderTest, AppsThenJobsThenTimings) {
  store::Assignment a;
  a.apps.resize(2);
  a.jobs.resize(1);
  a.timings.resize(1);
  a.apps[0].id = 1;
  a.apps[1].id = 2;
  a.jobs[0].id = 1;
  a.timings[0].id = 9;
  auto order = AssignmentOrder(a);
  ASSERT_EQ(order.size(), 4u);
  EXPECT_EQ(order[0], &a.apps[0]);
  EXPECT_EQ(order[2], &a.jobs[0]);
  EXPECT_EQ(order[3], &a.timings[0]);
}

}  // namespace
}  // namespace asgard::rpc
