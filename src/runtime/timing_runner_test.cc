#include "runtime/timing_runner.h"

#include <optional>
#include <set>

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

class MemoryFired final : public FiredStore {
 public:
  bool WasFired(const std::string& name, WallTime t) const override {
    return fired.count({name, t}) > 0;
  }
  absl::Status MarkFired(const std::string& name, WallTime t) override {
    if (fail) return absl::UnavailableError("disk full");
    fired.insert({name, t});
    return absl::OkStatus();
  }
  std::optional<std::string> FiredStateUnknown(const std::string&, WallTime) const override {
    return unknown;
  }
  std::set<std::pair<std::string, WallTime>> fired;
  bool fail = false;
  std::optional<std::string> unknown;  // every unlisted timing's state is unknown, and why
};

class TimingRunnerTest : public ::testing::Test {
 protected:
  std::unique_ptr<TimingRunner> Make(WallTime when, seconds grace = seconds(60)) {
    TimingDefinition def;
    def.spec.name = "once";
    def.spec.program = "/bin/true";
    def.time = when;
    def.grace = grace;
    return std::make_unique<TimingRunner>(def, launcher_, timers_, observer_, fired_);
  }

  FakeLauncher launcher_;
  FakeTimers timers_;
  RecordingObserver observer_;
  MemoryFired fired_;
};

TEST_F(TimingRunnerTest, FiresOnceAtItsTime) {
  auto t = Make(timers_.WallNow() + seconds(30));
  t->Enable();
  EXPECT_EQ(t->state(), TimingState::kPending);
  timers_.Advance(seconds(29));
  EXPECT_EQ(launcher_.spawns(), 0);
  timers_.Advance(seconds(1));
  EXPECT_EQ(launcher_.spawns(), 1);
  EXPECT_EQ(t->state(), TimingState::kRunning);
  launcher_.Exit(0);
  EXPECT_EQ(t->state(), TimingState::kDone);
  timers_.Advance(seconds(3600));
  EXPECT_EQ(launcher_.spawns(), 1);
}

TEST_F(TimingRunnerTest, FiredStateIsPersistedBeforeExec) {
  auto t = Make(timers_.WallNow() + seconds(1));
  t->Enable();
  timers_.Advance(seconds(1));
  EXPECT_EQ(fired_.fired.size(), 1u);
  // A restarted daemon with the same store does not run it again.
  auto again = Make(t->definition().time);
  again->Enable();
  EXPECT_EQ(again->state(), TimingState::kDone);
  EXPECT_EQ(launcher_.spawns(), 1);
}

TEST_F(TimingRunnerTest, PastTimeWithinGraceRunsAtOnce) {
  auto t = Make(timers_.WallNow() - seconds(30), seconds(60));
  t->Enable();
  EXPECT_EQ(launcher_.spawns(), 1);
}

TEST_F(TimingRunnerTest, PastTimeBeyondGraceIsMissedNotRun) {
  auto t = Make(timers_.WallNow() - seconds(61), seconds(60));
  t->Enable();
  EXPECT_EQ(launcher_.spawns(), 0);
  EXPECT_EQ(t->state(), TimingState::kMissed);
  ASSERT_EQ(observer_.exceptions.size(), 1u);
  EXPECT_EQ(observer_.exceptions[0].desc.rfind("missed: ", 0), 0u);
}

// Its fired record may have been lost (a damaged file): within its grace it may already have
// run, so it does not run again, and an exception says why.
TEST_F(TimingRunnerTest, PastTimeWhoseFiredStateIsUnknownDoesNotRun) {
  fired_.unknown = "timings.fired was damaged";
  auto t = Make(timers_.WallNow() - seconds(30), seconds(3600));
  t->Enable();
  EXPECT_EQ(launcher_.spawns(), 0);
  EXPECT_EQ(t->state(), TimingState::kMissed);
  ASSERT_EQ(observer_.exceptions.size(), 1u);
  EXPECT_EQ(observer_.exceptions[0].desc,
            "not run: timings.fired was damaged; a timing runs at most once");
}

TEST_F(TimingRunnerTest, FutureTimeRunsEvenIfTheStoreWasDamaged) {
  fired_.unknown = "timings.fired was damaged";
  auto t = Make(timers_.WallNow() + seconds(5));
  t->Enable();
  timers_.Advance(seconds(5));
  EXPECT_EQ(launcher_.spawns(), 1);
}

TEST_F(TimingRunnerTest, UnpersistableFireDoesNotRun) {
  fired_.fail = true;
  auto t = Make(timers_.WallNow() + seconds(1));
  t->Enable();
  timers_.Advance(seconds(1));
  EXPECT_EQ(launcher_.spawns(), 0);
  EXPECT_EQ(t->state(), TimingState::kFailed);
}

TEST_F(TimingRunnerTest, FailedRunRetriesThenFails) {
  TimingDefinition def;
  def.spec.name = "r";
  def.spec.program = "x";
  def.time = timers_.WallNow() + seconds(1);
  def.policy.retries = 1;
  def.policy.retry_delay = seconds(5);
  TimingRunner t(def, launcher_, timers_, observer_, fired_);
  t.Enable();
  timers_.Advance(seconds(1));
  launcher_.Exit(1);
  EXPECT_EQ(t.state(), TimingState::kRunning);
  timers_.Advance(seconds(5));
  EXPECT_EQ(launcher_.spawns(), 2);
  launcher_.Exit(1);
  EXPECT_EQ(t.state(), TimingState::kFailed);
}

TEST_F(TimingRunnerTest, StopThenBeforeItsTimeCancelsIt) {
  auto t = Make(timers_.WallNow() + seconds(10));
  t->Enable();
  bool done = false;
  t->StopThen([&] { done = true; });
  EXPECT_TRUE(done);
  timers_.Advance(seconds(20));
  EXPECT_EQ(launcher_.spawns(), 0);
  EXPECT_EQ(t->state(), TimingState::kPaused);
}

}  // namespace
}  // namespace asgard::runtime
