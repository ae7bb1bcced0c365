// The task model: Validate's messages and TaskSet's identity and order.
#include "runtime/task_def.h"

#include "gtest/gtest.h"
#include "runtime/task_def_testing.h"

namespace asgard::runtime {
namespace {

using testing::AppDef;
using testing::JobDef;

std::string Message(const TaskDef& def) { return std::string(Validate(def).message()); }

TEST(Validate, AcceptsTheDefaults) {
  EXPECT_TRUE(Validate(AppDef("web")).ok());
  EXPECT_TRUE(Validate(JobDef("backup", "0 3 * * *")).ok());
}

TEST(Validate, NamesTheFieldAndTheReason) {
  TaskDef def = AppDef("web");
  def.spec.program.clear();
  EXPECT_EQ(Message(def), "program: is empty");
  def = AppDef("web");
  def.spec.args = "'unterminated";
  EXPECT_EQ(Message(def).rfind("args: ", 0), 0u);
  def = AppDef("web");
  def.spec.stop_timeout = std::chrono::seconds(-1);
  EXPECT_EQ(Message(def), "stop_timeout: is negative");
  def = JobDef("backup", "0 3 * * *");
  std::get<JobPolicy>(def.policy).max_concurrent = 0;
  EXPECT_EQ(Message(def), "max_concurrent: 0 is out of range 1..1000");
}

TEST(Validate, RefusesAPolicyOfAnotherKind) {
  TaskDef def = AppDef("web");
  def.id.kind = TaskKind::kJob;
  EXPECT_FALSE(Validate(def).ok());
}

TEST(TaskSet, KeepsOrderAndRefusesADuplicateId) {
  TaskSet set;
  ASSERT_TRUE(set.Add(AppDef("b")).ok());
  ASSERT_TRUE(set.Add(AppDef("a")).ok());
  ASSERT_TRUE(set.Add(JobDef("a", "0 3 * * *")).ok());  // another kind: another task
  ASSERT_TRUE(set.Add(AppDef("a", 5)).ok());            // a master's task: known by id
  EXPECT_TRUE(absl::IsAlreadyExists(set.Add(AppDef("a"))));
  ASSERT_EQ(set.OfKind(TaskKind::kApp).size(), 3u);
  EXPECT_EQ(set.OfKind(TaskKind::kApp)[0]->id.name, "b");
  EXPECT_TRUE(set.Remove(TaskId::Named(TaskKind::kApp, "b")));
  EXPECT_EQ(set.all()[0].id.name, "a");
  EXPECT_NE(set.Find(TaskId{TaskKind::kApp, 5, "a"}), nullptr);
}

TEST(JobPolicy, SameSpecTextIsTheSameSchedule) {
  EXPECT_EQ(JobDef("backup", "0 3 * * *"), JobDef("backup", "0 3 * * *"));
  EXPECT_FALSE(JobDef("backup", "0 3 * * *") == JobDef("backup", "0 4 * * *"));
}

}  // namespace
}  // namespace asgard::runtime
