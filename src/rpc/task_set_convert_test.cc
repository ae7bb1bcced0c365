// The wire's task in the runtime's terms: ids without string folding, defaults for unset
// numbers, and the messages users see for each bad field.
#include "rpc/task_set_convert.h"

#include <csignal>

#include "gtest/gtest.h"

namespace asgard::rpc {
namespace {

v1::TaskDefinition Def(v1::TaskKind kind, int64_t id, const std::string& name) {
  v1::TaskDefinition d;
  d.mutable_ref()->set_kind(kind);
  d.mutable_ref()->set_id(id);
  d.set_name(name);
  d.set_program("sleep");
  d.set_args("100");
  d.set_max_bytes(-1);
  d.set_backups(-1);
  d.set_start_secs(-1);
  d.set_max_restarts(-1);
  d.set_auto_restart(true);
  return d;
}

std::string Error(const v1::TaskDefinition& d) {
  return std::string(ToTaskDef(d).status().message());
}

TEST(ToTaskDef, IdIsKindStoreIdAndName) {
  auto def = ToTaskDef(Def(v1::TASK_KIND_APP, 3, "web"));
  ASSERT_TRUE(def.ok()) << def.status();
  EXPECT_EQ(def->id, (runtime::TaskId{runtime::TaskKind::kApp, 3, "web"}));
  EXPECT_EQ(def->spec.name, "web");
  EXPECT_EQ(def->spec.stop_signal, Signal::Term());  // 0: unset
  EXPECT_EQ(def->restart(), process::RestartPolicy{});
  v1::TaskRef ref = RefOf(def->id);
  EXPECT_EQ(ref.kind(), v1::TASK_KIND_APP);
  EXPECT_EQ(ref.id(), 3);
}

TEST(ToTaskDef, JobCarriesItsParsedScheduleAndPolicy) {
  v1::TaskDefinition d = Def(v1::TASK_KIND_JOB, 4, "backup");
  d.set_spec("*/5 * * * *");
  d.set_concurrency("allow");
  d.set_timeout(30);
  auto def = ToTaskDef(d);
  ASSERT_TRUE(def.ok()) << def.status();
  EXPECT_EQ(def->job().schedule.spec(), "*/5 * * * *");
  EXPECT_EQ(def->job().concurrency, runtime::Concurrency::kAllow);
  EXPECT_EQ(def->job().max_concurrent, runtime::kDefaultMaxConcurrent);  // 0: the default
  EXPECT_EQ(def->job().run.timeout, std::chrono::seconds(30));
}

TEST(ToTaskDef, NamesTheTaskAndTheField) {
  EXPECT_EQ(Error(Def(v1::TASK_KIND_APP, 0, "web")), "task 'web' (id 0): ref.id: must be > 0");
  v1::TaskDefinition d = Def(v1::TASK_KIND_APP, 1, "web");
  d.set_program("");
  EXPECT_EQ(Error(d), "task 'web' (id 1): program: is empty");
  d = Def(v1::TASK_KIND_APP, 1, "web");
  d.set_stop_signal(-1);
  EXPECT_EQ(Error(d), "task 'web' (id 1): stop_signal: -1 is not a signal (expected 1-64)");
  d = Def(v1::TASK_KIND_JOB, 2, "backup");
  d.set_spec("61 * * * *");
  EXPECT_EQ(Error(d).rfind("task 'backup' (id 2): spec: ", 0), 0u);
  d.set_spec("* * * * *");
  d.set_concurrency("parallel");
  EXPECT_EQ(Error(d), "task 'backup' (id 2): concurrency: 'parallel' is not forbid, allow or replace");
  d.set_concurrency("");
  d.set_max_concurrent(1001);
  EXPECT_EQ(Error(d),
            "task 'backup' (id 2): max_concurrent: 1001 is out of range 0..1000 (0 = the default)");
  EXPECT_EQ(Error(Def(v1::TASK_KIND_TIMING, 3, "once")), "task 'once' (id 3): time: is not set");
  EXPECT_EQ(Error(Def(v1::TASK_KIND_UNSPECIFIED, 3, "x")),
            "ref.kind: must be app (2), job (3) or timing (4)");
}

}  // namespace
}  // namespace asgard::rpc
