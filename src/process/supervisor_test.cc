#include "process/supervisor.h"

#include "gtest/gtest.h"
#include "testing/fake_launcher.h"
#include "testing/fake_timers.h"
#include "testing/recording_observer.h"

namespace asgard::process {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::FakeLauncher;
using testing::FakeTimers;
using testing::RecordingObserver;

class SupervisorTest : public ::testing::Test {
 protected:
  std::unique_ptr<Supervisor> Make(RestartPolicy policy = {}) {
    ProcessSpec spec;
    spec.name = "web";
    spec.program = "/bin/true";
    spec.stop_timeout = seconds(10);
    return std::make_unique<Supervisor>(spec, policy, launcher_, timers_, observer_);
  }

  FakeLauncher launcher_;
  FakeTimers timers_;
  RecordingObserver observer_;
};

TEST_F(SupervisorTest, StoppedToStartingToRunningAfterStartSecs) {
  auto s = Make();
  s->Start();
  EXPECT_EQ(s->state(), ProcessState::kStarting);
  EXPECT_EQ(s->desired(), Desired::kRun);
  EXPECT_EQ(s->pid(), 1000);
  timers_.Advance(milliseconds(999));
  EXPECT_EQ(s->state(), ProcessState::kStarting);
  timers_.Advance(milliseconds(1));
  EXPECT_EQ(s->state(), ProcessState::kRunning);
}

TEST_F(SupervisorTest, ZeroStartSecsIsRunningAtOnce) {
  RestartPolicy p;
  p.start_secs = seconds(0);
  auto s = Make(p);
  s->Start();
  EXPECT_EQ(s->state(), ProcessState::kRunning);
}

TEST_F(SupervisorTest, RunningCrashRestartsAtOnceWithoutBackoff) {
  auto s = Make();
  s->Start();
  timers_.Advance(seconds(5));
  launcher_.Kill(SIGKILL);
  EXPECT_EQ(launcher_.spawns(), 2);
  EXPECT_EQ(s->state(), ProcessState::kStarting);
  EXPECT_EQ(s->restarts(), 1);
  ASSERT_EQ(observer_.archives.size(), 1u);
  EXPECT_EQ(observer_.archives[0].status, kStatusSignalled);
  EXPECT_EQ(observer_.archives[0].signal, "killed");
}

TEST_F(SupervisorTest, RunningExitWithoutAutoRestartIsExited) {
  RestartPolicy p;
  p.auto_restart = false;
  auto s = Make(p);
  s->Start();
  timers_.Advance(seconds(2));
  launcher_.Exit(3);
  EXPECT_EQ(s->state(), ProcessState::kExited);
  EXPECT_EQ(launcher_.spawns(), 1);
  EXPECT_EQ(observer_.archives.back().status, 3);
}

TEST_F(SupervisorTest, StartingExitGoesToBackoffWithDoublingDelay) {
  auto s = Make();
  s->Start();
  launcher_.Exit(1);
  EXPECT_EQ(s->state(), ProcessState::kBackoff);
  EXPECT_EQ(timers_.NextDelay(), milliseconds(100));
  timers_.Advance(milliseconds(100));
  EXPECT_EQ(s->state(), ProcessState::kStarting);
  launcher_.Exit(1);
  EXPECT_EQ(timers_.NextDelay(), milliseconds(200));
  timers_.Advance(milliseconds(200));
  launcher_.Exit(1);
  EXPECT_EQ(timers_.NextDelay(), milliseconds(400));
}

TEST_F(SupervisorTest, BackoffDelayIsCappedAtBackoffMax) {
  RestartPolicy p;
  p.max_restarts = 100;
  p.backoff_max = seconds(1);
  auto s = Make(p);
  s->Start();
  for (int i = 0; i < 10; ++i) {
    launcher_.Exit(1);
    EXPECT_LE(timers_.NextDelay(), seconds(1));
    timers_.Advance(timers_.NextDelay());
  }
  EXPECT_EQ(timers_.NextDelay(), seconds(1));
}

TEST_F(SupervisorTest, BackoffThenFatalAfterMaxRestarts) {
  RestartPolicy p;
  p.max_restarts = 3;
  auto s = Make(p);
  s->Start();
  for (int i = 0; i < 3; ++i) {
    launcher_.Exit(1);
    EXPECT_EQ(s->state(), ProcessState::kBackoff);
    timers_.Advance(timers_.NextDelay());
  }
  launcher_.Exit(1);
  EXPECT_EQ(s->state(), ProcessState::kFatal);
  EXPECT_EQ(launcher_.spawns(), 4);
  ASSERT_EQ(observer_.exceptions.size(), 1u);
  EXPECT_EQ(observer_.exceptions[0].desc, "restart reach max limited");
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(SupervisorTest, StayingUpStartSecsResetsFailureCount) {
  RestartPolicy p;
  p.max_restarts = 2;
  auto s = Make(p);
  s->Start();
  launcher_.Exit(1);
  timers_.Advance(timers_.NextDelay());
  launcher_.Exit(1);
  timers_.Advance(timers_.NextDelay());
  EXPECT_EQ(s->failed_starts(), 2);
  timers_.Advance(seconds(1));  // up for start_secs
  EXPECT_EQ(s->state(), ProcessState::kRunning);
  EXPECT_EQ(s->failed_starts(), 0);
  launcher_.Exit(1);            // a crash after start_secs: restart at once
  launcher_.Exit(1);            // then two more failed starts are tolerated again
  timers_.Advance(timers_.NextDelay());
  launcher_.Exit(1);
  EXPECT_EQ(s->state(), ProcessState::kBackoff);
}

TEST_F(SupervisorTest, SpawnFailureIsExceptionArchiveAndBackoff) {
  auto s = Make();
  launcher_.FailNextSpawns(1);
  s->Start();
  EXPECT_EQ(s->state(), ProcessState::kBackoff);
  ASSERT_EQ(observer_.exceptions.size(), 1u);
  EXPECT_EQ(observer_.exceptions[0].desc.rfind("start fail: ", 0), 0u);
  ASSERT_EQ(observer_.archives.size(), 1u);
  EXPECT_EQ(observer_.archives[0].status, kStatusUnknown);
  timers_.Advance(milliseconds(100));
  EXPECT_EQ(s->state(), ProcessState::kStarting);
}

// A full log disk: the app keeps running, one exception says so, status counts what is lost.
TEST_F(SupervisorTest, DroppedOutputIsOneExceptionAndTheAppKeepsRunning) {
  auto s = Make();
  s->Start();
  timers_.Advance(seconds(1));
  StreamDrops out("/logs/web.out", launcher_.output());
  const absl::Status full = absl::InternalError("write /logs/web.out: No space left on device");
  for (int i = 0; i < 1000; ++i) out.Record(full, 64, timers_.Now());
  EXPECT_EQ(s->state(), ProcessState::kRunning);
  ASSERT_EQ(observer_.exceptions.size(), 1u);
  EXPECT_EQ(observer_.exceptions[0].desc.rfind("output dropped: write /logs/web.out: No space", 0),
            0u)
      << observer_.exceptions[0].desc;
  EXPECT_EQ(observer_.exceptions[0].uuid, launcher_.last_run());
  EXPECT_EQ(s->output_dropped_bytes(), 64000);
}

TEST_F(SupervisorTest, SpawnFailuresEndFatal) {
  RestartPolicy p;
  p.max_restarts = 1;
  auto s = Make(p);
  launcher_.FailNextSpawns(5);
  s->Start();
  timers_.Advance(seconds(1));
  EXPECT_EQ(s->state(), ProcessState::kFatal);
  EXPECT_EQ(launcher_.spawns(), 2);
}

TEST_F(SupervisorTest, StopSendsStopSignalThenKillAfterTimeout) {
  auto s = Make();
  s->Start();
  timers_.Advance(seconds(1));
  s->Stop();
  EXPECT_EQ(s->state(), ProcessState::kStopping);
  EXPECT_EQ(s->desired(), Desired::kPause);
  ASSERT_EQ(launcher_.signals().size(), 1u);
  EXPECT_EQ(launcher_.signals()[0].second, SIGTERM);
  timers_.Advance(seconds(10));
  ASSERT_EQ(launcher_.signals().size(), 2u);
  EXPECT_EQ(launcher_.signals()[1].second, SIGKILL);
  launcher_.Kill(SIGKILL);
  EXPECT_EQ(s->state(), ProcessState::kStopped);
  EXPECT_EQ(observer_.archives.back().status, kStatusStopped);
  EXPECT_EQ(observer_.archives.back().signal, "kill");
  EXPECT_EQ(launcher_.spawns(), 1);
}

TEST_F(SupervisorTest, StopThatExitsInTimeSendsNoKill) {
  auto s = Make();
  s->Start();
  s->Stop();
  launcher_.Exit(0);
  timers_.Advance(seconds(30));
  EXPECT_EQ(launcher_.signals().size(), 1u);
  EXPECT_EQ(s->state(), ProcessState::kStopped);
}

TEST_F(SupervisorTest, ZeroStopTimeoutKillsAtOnce) {
  auto s = Make();
  s->Start();
  // A copy with stop_timeout 0 behaves like SIGKILL-only.
  ProcessSpec spec = s->spec();
  spec.stop_timeout = seconds(0);
  Supervisor quick(spec, {}, launcher_, timers_, observer_);
  quick.Start();
  quick.Stop();
  EXPECT_EQ(launcher_.signals().back().second, SIGKILL);
}

TEST_F(SupervisorTest, CustomStopSignalIsUsed) {
  ProcessSpec spec;
  spec.name = "q";
  spec.program = "x";
  spec.stop_signal = *Signal::FromNumber(SIGQUIT);
  Supervisor s(spec, {}, launcher_, timers_, observer_);
  s.Start();
  s.Stop();
  EXPECT_EQ(launcher_.signals().back().second, SIGQUIT);
}

TEST_F(SupervisorTest, StopInBackoffCancelsTheRetry) {
  auto s = Make();
  s->Start();
  launcher_.Exit(1);
  ASSERT_EQ(s->state(), ProcessState::kBackoff);
  s->Stop();
  EXPECT_EQ(s->state(), ProcessState::kStopped);
  timers_.Advance(seconds(60));
  EXPECT_EQ(launcher_.spawns(), 1);
}

TEST_F(SupervisorTest, StartWhileStoppingRestartsAfterExit) {
  auto s = Make();
  s->Start();
  s->Stop();
  s->Start();
  EXPECT_EQ(s->state(), ProcessState::kStopping);
  launcher_.Exit(0);
  EXPECT_EQ(s->state(), ProcessState::kStarting);
  EXPECT_EQ(launcher_.spawns(), 2);
}

TEST_F(SupervisorTest, RestartStopsThenStarts) {
  auto s = Make();
  s->Start();
  timers_.Advance(seconds(2));
  std::string first = launcher_.last_run();
  s->Restart();
  EXPECT_EQ(s->state(), ProcessState::kStopping);
  launcher_.Exit(0, first);
  EXPECT_EQ(s->state(), ProcessState::kStarting);
  EXPECT_NE(launcher_.last_run(), first);
}

TEST_F(SupervisorTest, FatalAppStartsAgainOnStart) {
  RestartPolicy p;
  p.max_restarts = 0;
  auto s = Make(p);
  s->Start();
  launcher_.Exit(1);
  ASSERT_EQ(s->state(), ProcessState::kFatal);
  s->Start();
  EXPECT_EQ(s->state(), ProcessState::kStarting);
  EXPECT_EQ(s->failed_starts(), 0);
}

TEST_F(SupervisorTest, StopThenRunsCallbackWhenStopped) {
  auto s = Make();
  s->Start();
  bool done = false;
  s->StopThen([&] { done = true; });
  EXPECT_FALSE(done);
  launcher_.Exit(0);
  EXPECT_TRUE(done);
}

TEST_F(SupervisorTest, StopThenOnStoppedAppCallsAtOnce) {
  auto s = Make();
  bool done = false;
  s->StopThen([&] { done = true; });
  EXPECT_TRUE(done);
}

TEST_F(SupervisorTest, ExitedAppStartsAgain) {
  RestartPolicy p;
  p.auto_restart = false;
  auto s = Make(p);
  s->Start();
  timers_.Advance(seconds(2));
  launcher_.Exit(0);
  ASSERT_EQ(s->state(), ProcessState::kExited);
  s->Start();
  EXPECT_EQ(s->state(), ProcessState::kStarting);
}

TEST_F(SupervisorTest, DestroyedSupervisorIsNotCalledBack) {
  auto s = Make();
  s->Start();
  std::string run = launcher_.last_run();
  s.reset();
  launcher_.Exit(0, run);  // must not crash
  EXPECT_EQ(timers_.pending(), 0u);
}

TEST_F(SupervisorTest, StateChangesAreReportedInOrder) {
  auto s = Make();
  s->Start();
  timers_.Advance(seconds(1));
  s->Stop();
  launcher_.Exit(0);
  EXPECT_EQ(observer_.states,
            (std::vector<ProcessState>{ProcessState::kStarting, ProcessState::kRunning,
                                       ProcessState::kStopping, ProcessState::kStopped}));
}

}  // namespace
}  // namespace asgard::process
