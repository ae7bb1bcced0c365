#include "runtime/job_runner.h"

#include "gtest/gtest.h"
#include "testing/fake_launcher.h"
#include "testing/fake_timers.h"
#include "testing/recording_observer.h"

namespace asgard::runtime {
namespace {

using std::chrono::seconds;
using testing::FakeLauncher;
using testing::FakeTimers;
using testing::RecordingObserver;

class JobRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // 2027-01-15T10:00:00Z, a whole minute.
    timers_.SetWallStart(std::chrono::system_clock::from_time_t(1'800'000'000 - 1'800'000'000 % 60));
  }

  std::unique_ptr<JobRunner> Make(const std::string& spec, Concurrency c = Concurrency::kForbid,
                                  RunPolicy policy = {},
                                  int max_concurrent = kDefaultMaxConcurrent) {
    auto schedule = sched::CronSchedule::Parse(spec, absl::UTCTimeZone());
    EXPECT_TRUE(schedule.ok()) << schedule.status();
    JobDefinition def{process::ProcessSpec{}, *schedule, policy, c, max_concurrent};
    def.spec.name = "backup";
    def.spec.program = "/bin/true";
    def.spec.stop_timeout = seconds(5);
    return std::make_unique<JobRunner>(def, launcher_, timers_, observer_);
  }

  FakeLauncher launcher_;
  FakeTimers timers_;
  RecordingObserver observer_;
};

TEST_F(JobRunnerTest, FiresAtEachScheduledMinute) {
  auto job = Make("* * * * *");
  job->Enable();
  ASSERT_TRUE(job->next_fire().has_value());
  EXPECT_EQ(*job->next_fire() - timers_.WallNow(), seconds(60));
  timers_.Advance(seconds(60));
  EXPECT_EQ(launcher_.spawns(), 1);
  launcher_.Exit(0);
  timers_.Advance(seconds(60));
  EXPECT_EQ(launcher_.spawns(), 2);
  EXPECT_EQ(*job->next_fire() - timers_.WallNow(), seconds(60));
}

TEST_F(JobRunnerTest, SixFieldSpecFiresEverySecond) {
  auto job = Make("* * * * * *");
  job->Enable();
  for (int i = 0; i < 5; ++i) {
    timers_.Advance(seconds(1));
    launcher_.Exit(0);
  }
  EXPECT_EQ(launcher_.spawns(), 5);
}

TEST_F(JobRunnerTest, ForbidSkipsAndRecordsTheSkip) {
  auto job = Make("* * * * * *");
  job->Enable();
  timers_.Advance(seconds(1));
  timers_.Advance(seconds(1));
  EXPECT_EQ(launcher_.spawns(), 1);
  EXPECT_EQ(job->skipped(), 1);
  ASSERT_EQ(observer_.exceptions.size(), 1u);
  EXPECT_NE(observer_.exceptions[0].desc.find("skipped"), std::string::npos);
}

TEST_F(JobRunnerTest, AllowOverlaps) {
  auto job = Make("* * * * * *", Concurrency::kAllow);
  job->Enable();
  timers_.Advance(seconds(3));
  EXPECT_EQ(launcher_.spawns(), 3);
  EXPECT_EQ(job->runs().live(), 3u);
}

// A long job fired every second under `allow` grew without end: it stays at the cap, and each
// fire at the cap is skipped and recorded as a forbid skip is.
TEST_F(JobRunnerTest, AllowStaysAtMaxConcurrent) {
  auto job = Make("* * * * * *", Concurrency::kAllow, {}, 3);
  job->Enable();
  timers_.Advance(seconds(6));
  EXPECT_EQ(launcher_.spawns(), 3);
  EXPECT_EQ(job->runs().live(), 3u);
  EXPECT_EQ(job->skipped(), 3);
  ASSERT_EQ(observer_.exceptions.size(), 3u);
  EXPECT_EQ(observer_.exceptions[0].desc,
            "skipped: 3 runs are still running, as many as max_concurrent allows "
            "(concurrency: allow)");
  launcher_.Exit(0);  // one ends: the next fire starts one again
  timers_.Advance(seconds(1));
  EXPECT_EQ(launcher_.spawns(), 4);
  EXPECT_EQ(job->runs().live(), 3u);
}

TEST_F(JobRunnerTest, AllowCapDefaultsToTen) {
  auto job = Make("* * * * * *", Concurrency::kAllow);
  job->Enable();
  timers_.Advance(seconds(60));
  EXPECT_EQ(job->runs().live(), 10u);
  EXPECT_EQ(job->skipped(), 50);
}

// Runs that ignore their stop signal stay alive until stop_timeout: replace counts them too.
TEST_F(JobRunnerTest, ReplaceCountsRunsStillStopping) {
  auto job = Make("* * * * * *", Concurrency::kReplace, {}, 2);
  job->Enable();
  timers_.Advance(seconds(4));  // stop_timeout is 5 s: nothing has exited yet
  EXPECT_EQ(launcher_.spawns(), 2);
  EXPECT_EQ(job->skipped(), 2);
}

TEST_F(JobRunnerTest, ReplaceStopsTheRunningOneAndStartsANewOne) {
  auto job = Make("* * * * * *", Concurrency::kReplace);
  job->Enable();
  timers_.Advance(seconds(1));
  std::string first = launcher_.last_run();
  timers_.Advance(seconds(1));
  EXPECT_EQ(launcher_.spawns(), 2);
  ASSERT_FALSE(launcher_.signals().empty());
  EXPECT_EQ(launcher_.signals()[0], std::make_pair(first, SIGTERM));
  launcher_.Exit(0, first);
  EXPECT_EQ(observer_.archives.back().status, process::kStatusStopped);
}

TEST_F(JobRunnerTest, TimeoutUsesTheStopPath) {
  RunPolicy policy;
  policy.timeout = seconds(10);
  auto job = Make("0 * * * *", Concurrency::kForbid, policy);
  job->Enable();
  timers_.Advance(seconds(3600));
  ASSERT_EQ(launcher_.spawns(), 1);
  timers_.Advance(seconds(10));
  ASSERT_EQ(launcher_.signals().size(), 1u);
  EXPECT_EQ(launcher_.signals()[0].second, SIGTERM);
  // Said when it happens, with the run's id: the archive alone would only say "signalled".
  ASSERT_EQ(observer_.exceptions.size(), 1u);
  EXPECT_EQ(observer_.exceptions[0].desc, "timeout: still running after 10s; stopped");
  EXPECT_EQ(observer_.exceptions[0].uuid, launcher_.last_run());
  timers_.Advance(seconds(5));
  ASSERT_EQ(launcher_.signals().size(), 2u);
  EXPECT_EQ(launcher_.signals()[1].second, SIGKILL);
  launcher_.Kill(SIGKILL);
  EXPECT_EQ(observer_.archives.back().status, process::kStatusSignalled);
  EXPECT_EQ(observer_.archives.back().signal, "killed");
}

TEST_F(JobRunnerTest, FailedRunIsReportedAndRetried) {
  RunPolicy policy;
  policy.retries = 2;
  policy.retry_delay = seconds(10);
  auto job = Make("0 0 * * *", Concurrency::kForbid, policy);
  job->RunNow();
  launcher_.Exit(3);
  ASSERT_EQ(observer_.exceptions.size(), 1u);
  EXPECT_EQ(observer_.exceptions[0].desc, "finished unseccessed with status: 3");
  timers_.Advance(seconds(10));
  EXPECT_EQ(launcher_.spawns(), 2);
  launcher_.Exit(3);
  timers_.Advance(seconds(10));
  EXPECT_EQ(launcher_.spawns(), 3);
  launcher_.Exit(3);
  timers_.Advance(seconds(60));
  EXPECT_EQ(launcher_.spawns(), 3);  // retries used up
}

TEST_F(JobRunnerTest, SuccessfulRunIsNotRetried) {
  RunPolicy policy;
  policy.retries = 3;
  auto job = Make("0 0 * * *", Concurrency::kForbid, policy);
  job->RunNow();
  launcher_.Exit(0);
  timers_.Advance(seconds(100));
  EXPECT_EQ(launcher_.spawns(), 1);
  EXPECT_TRUE(observer_.exceptions.empty());
}

TEST_F(JobRunnerTest, StartFailureIsReported) {
  auto job = Make("* * * * *");
  launcher_.FailNextSpawns(1);
  job->RunNow();
  ASSERT_EQ(observer_.exceptions.size(), 1u);
  EXPECT_EQ(observer_.exceptions[0].desc.rfind("start fail: ", 0), 0u);
  EXPECT_EQ(observer_.archives.back().status, process::kStatusUnknown);
}

TEST_F(JobRunnerTest, StopThenStopsRunsAndFires) {
  auto job = Make("* * * * * *", Concurrency::kAllow);
  job->Enable();
  timers_.Advance(seconds(1));
  bool done = false;
  job->StopThen([&] { done = true; });
  EXPECT_FALSE(done);
  launcher_.Exit(0);
  EXPECT_TRUE(done);
  timers_.Advance(seconds(10));
  EXPECT_EQ(launcher_.spawns(), 1);
  EXPECT_FALSE(job->next_fire().has_value());
}

TEST_F(JobRunnerTest, DisableStopsFiring) {
  auto job = Make("* * * * * *");
  job->Enable();
  job->Disable();
  timers_.Advance(seconds(10));
  EXPECT_EQ(launcher_.spawns(), 0);
}

}  // namespace
}  // namespace asgard::runtime
