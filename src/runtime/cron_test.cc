// Cron's apply/diff on a fake launcher and fake timers: new, changed (a new cron spec is a new
// schedule), removed and unchanged jobs and timings, by TaskId.
#include "runtime/cron.h"

#include <set>

#include "gtest/gtest.h"
#include "runtime/task_def_testing.h"
#include "testing/fake_launcher.h"
#include "testing/fake_timers.h"

namespace asgard::runtime {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using testing::JobDef;
using testing::SetOf;
using testing::TimingDef;

class MemoryFired final : public FiredStore {
 public:
  bool WasFired(const std::string& key, WallTime time) const override {
    return fired.count({key, time}) > 0;
  }
  absl::Status MarkFired(const std::string& key, WallTime time) override {
    fired.insert({key, time});
    return absl::OkStatus();
  }
  std::set<std::pair<std::string, WallTime>> fired;
};

class CronTest : public ::testing::Test {
 protected:
  CronTest() {
    // A whole hour: 2027-01-15T08:00:00Z.
    timers_.SetWallStart(std::chrono::system_clock::from_time_t(1'800'000'000 - 1'800'000'000 % 3600));
    auto fired = std::make_unique<MemoryFired>();
    fired_ = fired.get();
    cron_ = std::make_unique<Cron>(timers_, launcher_, std::move(fired));
  }
  void ObeySignals() {
    for (const auto& [run_id, sig] : launcher_.signals()) {
      if (launcher_.alive(run_id)) launcher_.Kill(sig, run_id);
    }
    timers_.Advance(seconds(0));
  }
  std::optional<TaskView> Job(const std::string& name, int64_t number = 0) {
    return cron_->View(TaskId{TaskKind::kJob, number, name});
  }

  ::asgard::testing::FakeLauncher launcher_;
  ::asgard::testing::FakeTimers timers_;
  MemoryFired* fired_ = nullptr;
  std::unique_ptr<Cron> cron_;
};

TEST_F(CronTest, NewJobIsScheduledAndFires) {
  cron_->Apply(SetOf({JobDef("backup", "*/5 * * * *")}));
  auto view = Job("backup");
  ASSERT_TRUE(view && view->next_run_at);
  EXPECT_EQ(*view->next_run_at - timers_.WallNow(), minutes(5));
  EXPECT_EQ(view->state, "scheduled");
  EXPECT_EQ(view->spec, "*/5 * * * *");
  timers_.Advance(minutes(5));
  EXPECT_EQ(launcher_.spawns(), 1);
}

TEST_F(CronTest, CronSpecChangeReschedules) {
  cron_->Apply(SetOf({JobDef("backup", "0 * * * *")}));
  EXPECT_EQ(*Job("backup")->next_run_at - timers_.WallNow(), minutes(60));
  cron_->Apply(SetOf({JobDef("backup", "*/10 * * * *")}));
  timers_.Advance(seconds(0));
  auto view = Job("backup");
  ASSERT_TRUE(view && view->next_run_at);
  EXPECT_EQ(*view->next_run_at - timers_.WallNow(), minutes(10));
  EXPECT_EQ(view->spec, "*/10 * * * *");
  timers_.Advance(minutes(10));
  EXPECT_EQ(launcher_.spawns(), 1);  // the old schedule's timer is gone
  timers_.Advance(minutes(50));
  EXPECT_EQ(launcher_.spawns(), 1);  // forbid: the first run still runs
}

TEST_F(CronTest, UnchangedJobKeepsItsRunAndItsCounters) {
  cron_->Apply(SetOf({JobDef("backup", "* * * * * *")}));
  timers_.Advance(seconds(1));
  timers_.Advance(seconds(1));  // skipped: forbid
  cron_->Apply(SetOf({JobDef("backup", "* * * * * *")}));
  EXPECT_TRUE(launcher_.signals().empty());
  EXPECT_EQ(Job("backup")->skipped, 1);
  EXPECT_EQ(Job("backup")->running, 1);
}

TEST_F(CronTest, ConcurrencyChangeRestartsTheJobWithTheNewPolicy) {
  cron_->Apply(SetOf({JobDef("backup", "* * * * * *")}));
  timers_.Advance(seconds(1));
  EXPECT_EQ(Job("backup")->concurrency, "forbid");
  cron_->Apply(SetOf({JobDef("backup", "* * * * * *", 0, Concurrency::kAllow)}));
  ASSERT_EQ(launcher_.signals().size(), 1u);  // the old runner's run is stopped
  ObeySignals();
  EXPECT_EQ(Job("backup")->concurrency, "allow");
  timers_.Advance(seconds(1));
  timers_.Advance(seconds(1));
  EXPECT_EQ(launcher_.spawns(), 3);  // allow: two runs side by side
  EXPECT_EQ(Job("backup")->running, 2);
}

TEST_F(CronTest, RemovedJobStopsItsRunAndLeavesTheList) {
  cron_->Apply(SetOf({JobDef("backup", "* * * * * *"), JobDef("report", "0 3 * * *")}));
  timers_.Advance(seconds(1));
  cron_->Apply(SetOf({JobDef("report", "0 3 * * *")}));
  ASSERT_EQ(launcher_.signals().size(), 1u);
  ObeySignals();
  EXPECT_FALSE(Job("backup"));
  ASSERT_EQ(cron_->List().size(), 1u);
  EXPECT_EQ(cron_->List()[0].name, "report");
  timers_.Advance(seconds(5));
  EXPECT_EQ(launcher_.spawns(), 1);
}

TEST_F(CronTest, RunJobNowIsById) {
  cron_->Apply(SetOf({JobDef("backup", "0 3 * * *", 4)}));
  EXPECT_FALSE(cron_->RunJobNow(TaskId::Named(TaskKind::kJob, "backup")));
  EXPECT_TRUE(cron_->RunJobNow(TaskId{TaskKind::kJob, 4, "backup"}));
  EXPECT_EQ(launcher_.spawns(), 1);
}

TEST_F(CronTest, TimingFiresOnceAndIsRememberedByItsKey) {
  WallTime at = timers_.WallNow() + minutes(1);
  cron_->Apply(SetOf({TimingDef("once", at), TimingDef("renamable", at, 9)}));
  timers_.Advance(minutes(1));
  EXPECT_EQ(launcher_.spawns(), 2);
  EXPECT_EQ(fired_->fired.count({"once", at}), 1u);
  EXPECT_EQ(fired_->fired.count({"timing#9", at}), 1u);
  // A renamed timing of a master is the same timing as far as firing goes.
  cron_->Apply(SetOf({TimingDef("once", at), TimingDef("renamed", at, 9)}));
  ObeySignals();
  EXPECT_EQ(launcher_.spawns(), 2);
}

TEST_F(CronTest, TimingTimeChangeRearmsIt) {
  cron_->Apply(SetOf({TimingDef("once", timers_.WallNow() + minutes(10))}));
  cron_->Apply(SetOf({TimingDef("once", timers_.WallNow() + minutes(1))}));
  timers_.Advance(minutes(1));
  EXPECT_EQ(launcher_.spawns(), 1);
  timers_.Advance(minutes(10));
  EXPECT_EQ(launcher_.spawns(), 1);
}

TEST_F(CronTest, StopAllWaitsForRetiringRunners) {
  cron_->Apply(SetOf({JobDef("backup", "* * * * * *")}));
  timers_.Advance(seconds(1));
  cron_->Apply(TaskSet{});
  bool done = false;
  cron_->StopAll([&] { done = true; });
  EXPECT_FALSE(done);
  ObeySignals();
  EXPECT_TRUE(done);
}

TEST_F(CronTest, AppsAreIgnored) {
  cron_->Apply(SetOf({testing::AppDef("web"), JobDef("backup", "0 3 * * *")}));
  ASSERT_EQ(cron_->List().size(), 1u);
  EXPECT_EQ(launcher_.spawns(), 0);
}

}  // namespace
}  // namespace asgard::runtime
