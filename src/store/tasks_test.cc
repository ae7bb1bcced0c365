// File: tasks_test.cc
// Apps, jobs and timings on both backends: round trips, assignment versions, observed state
// and listing.
#include "store/store_test_fixture.h"

namespace asgard::store {
namespace {

class TasksTest : public StoreTest {};

TEST_P(TasksTest, EveryKindRoundTripsItsFields) {
  Agent a = AddAgent();
  TaskInput in = Input(a.id, "all-fields");
  in.group_id = 3;
  in.dir = "/srv";
  in.std_out = "/var/log/o";
  in.std_err = "/var/log/e";
  in.is_monitor = true;
  in.user = "www-data";
  in.env = {{"A", "1"}, {"QUOTE", "it's \"x\""}, {"BIG", std::string(20000, 'b')}};
  in.stop_signal = *Signal::Parse("SIGINT");
  in.stop_timeout = 7;
  in.max_bytes = 1234567;
  in.backups = 3;
  in.auto_restart = true;
  in.start_secs = 4;
  in.max_restarts = 9;
  in.backoff_max = 60;
  in.concurrency = runtime::Concurrency::kReplace;
  in.timeout = 30;
  in.retries = 2;
  in.retry_delay = 15;
  in.grace = 120;
  in.max_concurrent = 4;
  // The seeded admin (id 1) writes: only an administrator keeps `user` (run_as_test.cc).
  for (TaskKind kind : {TaskKind::kApp, TaskKind::kJob, TaskKind::kTiming}) {
    ASSERT_OK_AND_ASSIGN(Task t, store().CreateTask(kind, in, 1));
    EXPECT_EQ(t.kind, kind);
    EXPECT_EQ(t.input.name, "all-fields");
    EXPECT_EQ(t.input.group_id, 3);
    EXPECT_EQ(t.input.env, in.env);
    EXPECT_EQ(t.input.user, "www-data");
    EXPECT_EQ(t.input.stop_signal.Name(), "INT");
    EXPECT_EQ(t.input.max_bytes, 1234567);
    EXPECT_TRUE(t.input.is_monitor);
    EXPECT_EQ(t.creator, 1);
    if (kind == TaskKind::kJob) EXPECT_EQ(t.input.max_concurrent, 4);
    EXPECT_EQ(t.desired, Desired::kPause);
    EXPECT_EQ(t.status, kTaskPaused);
    if (kind == TaskKind::kApp) {
      EXPECT_TRUE(t.input.auto_restart);
      EXPECT_EQ(t.input.max_restarts, 9);
      EXPECT_EQ(t.input.backoff_max, 60);
    } else if (kind == TaskKind::kJob) {
      EXPECT_EQ(t.input.spec, "*/5 * * * *");
      EXPECT_EQ(t.input.concurrency, runtime::Concurrency::kReplace);
      EXPECT_EQ(t.input.timeout, 30);
      EXPECT_EQ(t.input.retries, 2);
    } else {
      EXPECT_EQ(t.input.time, Utc(2024, 6, 1, 8, 0, 0));
      EXPECT_EQ(t.input.grace, 120);
      EXPECT_EQ(t.input.retry_delay, 15);
    }
  }
}

TEST_P(TasksTest, AssignmentVersionBumpsOnEveryDesiredStateChange) {
  Agent a = AddAgent("10.0.0.1");
  Agent b = AddAgent("10.0.0.2");
  auto version = [&](const Agent& agent) {
    return store().AssignmentVersion(agent.id).value_or(-1);
  };
  int64_t v = version(a);

  ASSERT_OK_AND_ASSIGN(Task app, store().CreateTask(TaskKind::kApp, Input(a.id, "api"), 1));
  EXPECT_EQ(version(a), ++v) << "create";
  ASSERT_OK(store().SetDesired(TaskKind::kApp, app.id, Desired::kRun, 1).status());
  EXPECT_EQ(version(a), ++v) << "start";
  ASSERT_OK(store().SetDesired(TaskKind::kApp, app.id, Desired::kPause, 1).status());
  EXPECT_EQ(version(a), ++v) << "pause";
  TaskInput edited = Input(a.id, "api2");
  ASSERT_OK(store().UpdateTask(TaskKind::kApp, app.id, edited, 1).status());
  EXPECT_EQ(version(a), ++v) << "update";
  int64_t vb = version(b);
  ASSERT_OK(store().UpdateTask(TaskKind::kApp, app.id, Input(b.id, "api2"), 1).status());
  EXPECT_EQ(version(a), ++v) << "moved away";
  EXPECT_EQ(version(b), ++vb) << "moved in";
  ASSERT_OK(store().DeleteTask(TaskKind::kApp, app.id, 1));
  EXPECT_EQ(version(b), ++vb) << "delete";

  // Observations never bump it.
  ASSERT_OK_AND_ASSIGN(Task job, store().CreateTask(TaskKind::kJob, Input(a.id, "j"), 1));
  ++v;
  ASSERT_OK(store().RecordObserved(a.id, {Seen(TaskKind::kJob, job.id, "running", 9)}, T0()));
  EXPECT_EQ(version(a), v);

  ASSERT_OK_AND_ASSIGN(Assignment work, store().GetAssignment(a.id));
  EXPECT_EQ(work.version, v);
  EXPECT_TRUE(work.apps.empty());  // moved to b, then deleted
  ASSERT_EQ(work.jobs.size(), 1u);
  EXPECT_EQ(work.jobs[0].id, job.id);
  ASSERT_OK_AND_ASSIGN(Assignment work_b, store().GetAssignment(b.id));
  EXPECT_TRUE(work_b.apps.empty());
  EXPECT_TRUE(
      absl::IsNotFound(store().SetDesired(TaskKind::kApp, app.id, Desired::kRun, 1).status()));
}

TEST_P(TasksTest, RecordObservedWritesObservedStateOnlyAndDerivesStatus) {
  Agent a = AddAgent("10.0.0.1");
  Agent b = AddAgent("10.0.0.2");
  ASSERT_OK_AND_ASSIGN(Task app, store().CreateTask(TaskKind::kApp, Input(a.id, "api"), 1));
  Observed running{"running", 4242, 2, std::nullopt, "", std::nullopt, std::nullopt};
  ASSERT_OK(store().RecordObserved(a.id, {{TaskKind::kApp, app.id, running}}, T0()));
  ASSERT_OK_AND_ASSIGN(Task t, store().GetTask(TaskKind::kApp, app.id));
  EXPECT_EQ(t.desired, Desired::kPause);  // untouched
  EXPECT_EQ(t.status, kTaskPaused);
  EXPECT_EQ(t.observed.state, "running");
  EXPECT_EQ(t.observed.pid, 4242);
  EXPECT_EQ(t.observed.restarts, 2);
  EXPECT_EQ(t.observed.observed_at, T0());

  ASSERT_OK(store().SetDesired(TaskKind::kApp, app.id, Desired::kRun, 1).status());
  ASSERT_OK_AND_ASSIGN(t, store().GetTask(TaskKind::kApp, app.id));
  EXPECT_EQ(t.status, kTaskRunning);
  Observed fatal{"fatal", 0, 5, 1, "", T0(), std::nullopt};
  ASSERT_OK(store().RecordObserved(a.id, {{TaskKind::kApp, app.id, fatal}}, T0()));
  ASSERT_OK_AND_ASSIGN(t, store().GetTask(TaskKind::kApp, app.id));
  EXPECT_EQ(t.status, kTaskFailed);
  EXPECT_EQ(t.observed.last_exit_status, 1);
  EXPECT_EQ(t.observed.last_exit_at, T0());
  EXPECT_EQ(t.desired, Desired::kRun);

  // Another agent cannot write it.
  ASSERT_OK(store().RecordObserved(b.id, {{TaskKind::kApp, app.id, running}}, T0()));
  ASSERT_OK_AND_ASSIGN(t, store().GetTask(TaskKind::kApp, app.id));
  EXPECT_EQ(t.observed.state, "fatal");
}

TEST_P(TasksTest, TimingIsDoneOnlyWhenItsRunEndedOnItsOwn) {
  Agent a = AddAgent();
  TaskInput in = Input(a.id, "once");
  in.desired = Desired::kRun;
  ASSERT_OK_AND_ASSIGN(Task stopped, store().CreateTask(TaskKind::kTiming, in, 1));
  ASSERT_OK_AND_ASSIGN(Task exited, store().CreateTask(TaskKind::kTiming, in, 1));
  ASSERT_OK(store().RecordObserved(a.id,
                                   {Seen(TaskKind::kTiming, stopped.id, "stopped", 0, -2),
                                    Seen(TaskKind::kTiming, exited.id, "exited", 0, 0)},
                                   T0()));
  ASSERT_OK_AND_ASSIGN(Task s, store().GetTask(TaskKind::kTiming, stopped.id));
  EXPECT_EQ(s.status, kTaskStopped);
  ASSERT_OK_AND_ASSIGN(Task e, store().GetTask(TaskKind::kTiming, exited.id));
  EXPECT_EQ(e.status, kTimingDone);
  // Done stays done while the agent is away, and leaves the assignment.
  ASSERT_OK(store().MarkOfflineBefore(T0() + absl::Hours(1)).status());
  ASSERT_OK_AND_ASSIGN(e, store().GetTask(TaskKind::kTiming, exited.id));
  EXPECT_EQ(e.status, kTimingDone);
  ASSERT_OK_AND_ASSIGN(Assignment work, store().GetAssignment(a.id));
  ASSERT_EQ(work.timings.size(), 1u);
  EXPECT_EQ(work.timings[0].id, stopped.id);
}

TEST_P(TasksTest, UserInputIsStoredVerbatim) {
  Agent a = AddAgent();
  const std::string nasty = "x'); DROP TABLE apps; -- 100% \"q\" \\ _ ` é 中文";
  TaskInput in = Input(a.id, nasty);
  in.args = nasty;
  in.dir = "%";
  ASSERT_OK_AND_ASSIGN(Task t, store().CreateTask(TaskKind::kApp, in, 1));
  ASSERT_OK_AND_ASSIGN(Task plain, store().CreateTask(TaskKind::kApp, Input(a.id, "100 x"), 1));
  ASSERT_OK_AND_ASSIGN(Task back, store().GetTask(TaskKind::kApp, t.id));
  EXPECT_EQ(back.input.name, nasty);
  EXPECT_EQ(back.input.args, nasty);
  EXPECT_EQ(back.input.dir, "%");

  // In a filter, % and _ are literal characters, not wildcards.
  TaskFilter f;
  f.name = "100%";
  ASSERT_OK_AND_ASSIGN(Page<Task> page, store().ListTasks(TaskKind::kApp, f));
  ASSERT_EQ(page.total, 1);
  EXPECT_EQ(page.items[0].id, t.id);
  f.name = "'); DROP";
  ASSERT_OK_AND_ASSIGN(page, store().ListTasks(TaskKind::kApp, f));
  EXPECT_EQ(page.total, 1);
  f.name = "_";
  ASSERT_OK_AND_ASSIGN(page, store().ListTasks(TaskKind::kApp, f));
  EXPECT_EQ(page.total, 1);
  ASSERT_OK_AND_ASSIGN(auto all, store().ListTasksByAgent(TaskKind::kApp, a.id));
  EXPECT_EQ(all.size(), 2u);
}

TEST_P(TasksTest, ListFiltersAndPages) {
  Agent a = AddAgent("10.0.0.1");
  Agent b = AddAgent("10.0.0.2");
  for (int i = 0; i < 5; ++i) {
    TaskInput in = Input(i < 3 ? a.id : b.id, "job-" + std::to_string(i));
    in.group_id = i % 2;
    ASSERT_OK(store().CreateTask(TaskKind::kJob, in, i == 0 ? 2 : 1).status());
  }
  auto list = [&](auto set) {
    TaskFilter f;
    set(f);
    return store().ListTasks(TaskKind::kJob, f);
  };
  ASSERT_OK_AND_ASSIGN(Page<Task> page, list([](TaskFilter& f) { f.size = 2; }));
  EXPECT_EQ(page.total, 5);
  ASSERT_EQ(page.items.size(), 2u);
  EXPECT_EQ(page.items[0].input.name, "job-4");  // newest first
  ASSERT_OK_AND_ASSIGN(page, list([](TaskFilter& f) { f.page = 3, f.size = 2; }));
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].input.name, "job-0");
  ASSERT_OK_AND_ASSIGN(page, list([&](TaskFilter& f) { f.agent_id = a.id, f.group_id = 0; }));
  EXPECT_EQ(page.total, 2);
  ASSERT_OK_AND_ASSIGN(page, list([](TaskFilter& f) { f.creator = 2; }));
  EXPECT_EQ(page.total, 1);
  ASSERT_OK(store().DeleteTask(TaskKind::kJob, page.items[0].id, 1));
  ASSERT_OK_AND_ASSIGN(page, list([](TaskFilter&) {}));
  EXPECT_EQ(page.total, 4);
  ASSERT_OK_AND_ASSIGN(page, list([](TaskFilter& f) { f.status = kTaskDeleted; }));
  EXPECT_EQ(page.total, 1);
}

TEST_P(TasksTest, TaskNeedsAnExistingAgent) {
  absl::Status s = store().CreateTask(TaskKind::kApp, Input(777, "x"), 1).status();
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
}

ASGARD_INSTANTIATE_BACKENDS(TasksTest);

}  // namespace
}  // namespace asgard::store
