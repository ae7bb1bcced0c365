// File: next_runs_test.cc
// A started job's next run, each distinct spec parsed once (next_runs.h), and the member it
// fills in a task's JSON.
#include "web/next_runs.h"

#include "gtest/gtest.h"
#include "sched/time_format.h"
#include "web/task_json.h"

namespace asgard::web {
namespace {

absl::Time At(int h, int m) {
  return absl::FromCivil(absl::CivilSecond(2024, 5, 10, h, m, 0), absl::UTCTimeZone());
}

store::Task Job(int64_t id, const std::string& spec, store::Desired desired = store::Desired::kRun) {
  store::Task t;
  t.kind = store::TaskKind::kJob;
  t.id = id;
  t.input.spec = spec;
  t.desired = desired;
  t.status = store::kTaskRunning;
  return t;
}

TEST(NextRunsTest, OnlyAStartedLiveJobHasANextRun) {
  NextRuns next_runs;
  const std::string every_five = "CRON_TZ=UTC */5 * * * *";
  EXPECT_EQ(next_runs.Of(Job(1, every_five), At(12, 1)), At(12, 5));
  EXPECT_EQ(next_runs.Of(Job(2, every_five, store::Desired::kPause), At(12, 1)), std::nullopt);
  store::Task deleted = Job(3, every_five);
  deleted.status = store::kTaskDeleted;
  EXPECT_EQ(next_runs.Of(deleted, At(12, 1)), std::nullopt);
  store::Task app = Job(4, every_five);
  app.kind = store::TaskKind::kApp;
  EXPECT_EQ(next_runs.Of(app, At(12, 1)), std::nullopt);
}

TEST(NextRunsTest, EachDistinctSpecIsParsedOnce) {
  NextRuns next_runs;
  for (int page = 0; page < 3; ++page) {
    for (int64_t id = 1; id <= 20; ++id) {
      next_runs.Of(Job(id, id % 2 ? "CRON_TZ=UTC 0 * * * *" : "CRON_TZ=UTC 30 * * * *"),
                   At(12, 1));
    }
  }
  EXPECT_EQ(next_runs.ParsesForTest(), 2);
}

TEST(NextRunsTest, AStoredSpecThatDoesNotParseShowsNoNextRunAndIsNotParsedAgain) {
  NextRuns next_runs;
  EXPECT_EQ(next_runs.Of(Job(1, "61 * * * *"), At(12, 1)), std::nullopt);
  EXPECT_EQ(next_runs.Of(Job(2, "61 * * * *"), At(12, 1)), std::nullopt);
  EXPECT_EQ(next_runs.ParsesForTest(), 1);
}

TEST(NextRunsTest, TheNextRunIsTheJobsNextRunAtInItsJson) {
  store::Task job = Job(1, "CRON_TZ=UTC */5 * * * *");
  Json with = TaskToJson(job, {"a", ""}, absl::UTCTimeZone(), At(12, 5));
  EXPECT_EQ(with["next_run_at"], sched::FormatIso8601(At(12, 5), absl::UTCTimeZone()));
  Json without = TaskToJson(job, {"a", ""}, absl::UTCTimeZone(), std::nullopt);
  EXPECT_TRUE(without["next_run_at"].is_null());
}

TEST(ParseConcurrencyTest, TheThreeWordsOrAnErrorNamingTheField) {
  EXPECT_EQ(ParseConcurrency("forbid").value(), runtime::Concurrency::kForbid);
  EXPECT_EQ(ParseConcurrency("allow").value(), runtime::Concurrency::kAllow);
  EXPECT_EQ(ParseConcurrency("replace").value(), runtime::Concurrency::kReplace);
  EXPECT_EQ(ParseConcurrency("skip").status().message(),
            "concurrency: 'skip' is not forbid, allow or replace");
}

}  // namespace
}  // namespace asgard::web
