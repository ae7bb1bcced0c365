// Guard's apply/diff on a fake launcher and fake timers: what a reload starts, restarts, stops
// and leaves alone, by TaskId.
#include "runtime/guard.h"

#include <signal.h>

#include "gtest/gtest.h"
#include "runtime/task_def_testing.h"
#include "testing/fake_launcher.h"
#include "testing/fake_timers.h"

namespace asgard::runtime {
namespace {

using std::chrono::seconds;
using testing::AppDef;
using testing::SetOf;

class RecordingTasks final : public TaskObserver {
 public:
  void OnArchive(const TaskId& id, const process::ArchiveRecord&) override {
    archives.push_back(id);
  }
  void OnException(const TaskId& id, const process::ExceptionRecord&) override {
    exceptions.push_back(id);
  }
  std::vector<TaskId> archives, exceptions;
};

class GuardTest : public ::testing::Test {
 protected:
  // The fake run of `run_id` ends by the signal it was sent, then deferred work runs.
  void ObeySignals() {
    for (const auto& [run_id, sig] : launcher_.signals()) {
      if (launcher_.alive(run_id)) launcher_.Kill(sig, run_id);
    }
    timers_.Advance(seconds(0));
  }
  std::vector<std::string> Names() {
    std::vector<std::string> out;
    for (const auto& v : guard_.List()) out.push_back(v.name);
    return out;
  }

  ::asgard::testing::FakeLauncher launcher_;
  ::asgard::testing::FakeTimers timers_;
  Guard guard_{timers_, launcher_};
};

TEST_F(GuardTest, NewAppsStartInTheSetsOrder) {
  guard_.Apply(SetOf({AppDef("web"), AppDef("api")}));
  EXPECT_EQ(launcher_.spawns(), 2);
  EXPECT_EQ(Names(), (std::vector<std::string>{"web", "api"}));
  auto views = guard_.List();
  EXPECT_EQ(views[0].id, 0);
  EXPECT_EQ(views[1].id, 1);
  EXPECT_NE(views[1].pid, 0);
}

TEST_F(GuardTest, UnchangedAppIsLeftAlone) {
  guard_.Apply(SetOf({AppDef("web"), AppDef("api")}));
  guard_.Apply(SetOf({AppDef("web"), AppDef("api")}));
  EXPECT_EQ(launcher_.spawns(), 2);
  EXPECT_TRUE(launcher_.signals().empty());
}

TEST_F(GuardTest, ChangedCommandStopsThenStartsWithTheNewOne) {
  guard_.Apply(SetOf({AppDef("web"), AppDef("api")}));
  std::string api_run = launcher_.last_run();
  TaskDef changed = AppDef("web");
  changed.spec.args = "120";
  guard_.Apply(SetOf({changed, AppDef("api")}));
  ASSERT_EQ(launcher_.signals().size(), 1u);
  EXPECT_EQ(launcher_.signals()[0].second, SIGTERM);
  EXPECT_NE(launcher_.signals()[0].first, api_run);  // only the changed app
  EXPECT_EQ(launcher_.spawns(), 2);                  // not before the old one stopped
  ObeySignals();
  EXPECT_EQ(launcher_.spawns(), 3);
  EXPECT_EQ(launcher_.specs().back().args, "120");
  EXPECT_EQ(Names(), (std::vector<std::string>{"web", "api"}));
}

TEST_F(GuardTest, ChangedRestartPolicyIsAChange) {
  guard_.Apply(SetOf({AppDef("web")}));
  TaskDef changed = AppDef("web");
  std::get<process::RestartPolicy>(changed.policy).max_restarts = 1;
  guard_.Apply(SetOf({changed}));
  ObeySignals();
  EXPECT_EQ(launcher_.spawns(), 2);
}

TEST_F(GuardTest, RemovedAppIsStoppedAndForgotten) {
  guard_.Apply(SetOf({AppDef("web"), AppDef("api")}));
  guard_.Apply(SetOf({AppDef("api")}));
  ASSERT_EQ(launcher_.signals().size(), 1u);
  EXPECT_EQ(Names(), (std::vector<std::string>{"api"}));
  EXPECT_FALSE(guard_.Get("web").has_value());
  ObeySignals();
  EXPECT_EQ(launcher_.spawns(), 2);  // nothing restarted
}

TEST_F(GuardTest, StopAllDuringARestartStartsNothingMore) {
  guard_.Apply(SetOf({AppDef("web")}));
  TaskDef changed = AppDef("web");
  changed.spec.args = "120";
  guard_.Apply(SetOf({changed}));
  bool done = false;
  guard_.StopAll([&] { done = true; });
  ObeySignals();
  EXPECT_TRUE(done);
  EXPECT_EQ(launcher_.spawns(), 1);
}

TEST_F(GuardTest, TasksOfAMasterAreKnownByIdNotByName) {
  guard_.Apply(SetOf({AppDef("web", 1), AppDef("web", 2)}));
  EXPECT_EQ(launcher_.spawns(), 2);
  guard_.Apply(SetOf({AppDef("web", 2)}));
  ASSERT_EQ(launcher_.signals().size(), 1u);
  EXPECT_FALSE(guard_.View(TaskId{TaskKind::kApp, 1, "web"}).has_value());
  EXPECT_TRUE(guard_.View(TaskId{TaskKind::kApp, 2, "web"}).has_value());
}

TEST_F(GuardTest, RecordsCarryTheTaskId) {
  RecordingTasks seen;
  guard_.SetForward(&seen);
  guard_.Apply(SetOf({AppDef("web", 7)}));
  guard_.Apply(TaskSet{});
  ObeySignals();
  ASSERT_EQ(seen.archives.size(), 1u);
  EXPECT_EQ(seen.archives[0], (TaskId{TaskKind::kApp, 7, "web"}));
}

TEST_F(GuardTest, RestartIsByIdAndOnlyForKnownApps) {
  guard_.Apply(SetOf({AppDef("web")}));
  EXPECT_FALSE(guard_.Restart(TaskId::Named(TaskKind::kApp, "api")));
  EXPECT_TRUE(guard_.Restart(TaskId::Named(TaskKind::kApp, "web")));
  ObeySignals();
  EXPECT_EQ(launcher_.spawns(), 2);
}

TEST_F(GuardTest, OtherKindsAreIgnored) {
  guard_.Apply(SetOf({testing::JobDef("backup", "0 3 * * *"), AppDef("web")}));
  EXPECT_EQ(Names(), (std::vector<std::string>{"web"}));
}

}  // namespace
}  // namespace asgard::runtime
