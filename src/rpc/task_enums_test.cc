// The wire's enums beside the text the previous version sent alone: each side of a fleet
// upgraded one host at a time understands the other.
#include "rpc/task_enums.h"

#include "gtest/gtest.h"
#include "rpc/task_set_convert.h"

namespace asgard::rpc {
namespace {

// A message as its receiver parses it: a sender of the previous version never sets the new
// fields, so a message without them is exactly what it sends.
template <typename Message>
Message OverTheWire(const Message& sent) {
  Message received;
  EXPECT_TRUE(received.ParseFromString(sent.SerializeAsString()));
  return received;
}

v1::TaskDefinition Job(const std::string& concurrency_text) {
  v1::TaskDefinition d;
  d.mutable_ref()->set_kind(v1::TASK_KIND_JOB);
  d.mutable_ref()->set_id(7);
  d.set_name("report");
  d.set_program("true");
  d.set_spec("*/5 * * * *");
  d.set_concurrency(concurrency_text);  // all a master of the previous version sends
  return d;
}

TEST(TaskEnumsTest, ADefinitionOfThePreviousVersionKeepsItsConcurrency) {
  for (auto [text, want] : {std::pair{"allow", runtime::Concurrency::kAllow},
                            std::pair{"replace", runtime::Concurrency::kReplace},
                            std::pair{"forbid", runtime::Concurrency::kForbid},
                            std::pair{"", runtime::Concurrency::kForbid}}) {
    v1::TaskDefinition old = OverTheWire(Job(text));
    EXPECT_EQ(old.concurrency_mode(), v1::CONCURRENCY_UNSPECIFIED);
    auto def = ToTaskDef(old);
    ASSERT_TRUE(def.ok()) << def.status();
    EXPECT_EQ(def->job().concurrency, want) << text;
  }
  auto bad = ToTaskDef(OverTheWire(Job("sometimes")));
  EXPECT_EQ(bad.status().message(),
            "task 'report' (id 7): concurrency: 'sometimes' is not forbid, allow or replace");
}

TEST(TaskEnumsTest, ADefinitionOfThisVersionCarriesBothForAgentsOfThePreviousOne) {
  v1::TaskDefinition d = Job("");
  SetConcurrency(runtime::Concurrency::kReplace, &d);
  v1::TaskDefinition received = OverTheWire(d);
  EXPECT_EQ(received.concurrency_mode(), v1::CONCURRENCY_REPLACE);
  EXPECT_EQ(received.concurrency(), "replace");  // what an agent of the previous version reads
  EXPECT_EQ(ToTaskDef(received)->job().concurrency, runtime::Concurrency::kReplace);
}

TEST(TaskEnumsTest, TheEnumWinsOverTheText) {
  v1::TaskDefinition d = Job("forbid");
  d.set_concurrency_mode(v1::CONCURRENCY_ALLOW);
  EXPECT_EQ(*ConcurrencyOf(d), runtime::Concurrency::kAllow);
}

TEST(TaskEnumsTest, EveryStateNameTravelsAsEnumAndText) {
  for (const char* name : {"stopped", "starting", "running", "backoff", "stopping", "exited",
                           "fatal", "scheduled", "disabled", "pending", "done", "failed",
                           "missed", "paused", "removed"}) {
    v1::TaskObserved o;
    SetState(name, &o);
    v1::TaskObserved received = OverTheWire(o);
    EXPECT_NE(received.task_state(), v1::TASK_STATE_UNSPECIFIED) << name;
    EXPECT_EQ(received.state(), name);  // what a master of the previous version reads
    EXPECT_EQ(StateOf(received), name);
  }
}

TEST(TaskEnumsTest, AStateOfThePreviousVersionIsReadFromItsText) {
  v1::TaskObserved old;
  old.set_state("backoff");  // all an agent of the previous version sends
  EXPECT_EQ(StateOf(OverTheWire(old)), "backoff");
  v1::TaskObserved unknown;
  SetState("unknown", &unknown);  // no enum value: the text alone
  EXPECT_EQ(unknown.task_state(), v1::TASK_STATE_UNSPECIFIED);
  EXPECT_EQ(StateOf(unknown), "unknown");
}

// The store holds only the known words (a checked column): a word from a broken or newer agent
// is shown as unknown rather than failing the whole report.
TEST(TaskEnumsTest, TextThatIsNoStateReadsAsUnknown) {
  v1::TaskObserved odd;
  odd.set_state("sleepy");
  EXPECT_EQ(StateOf(OverTheWire(odd)), "unknown");
  v1::TaskObserved never;  // nothing observed yet
  EXPECT_EQ(StateOf(OverTheWire(never)), "");
}

}  // namespace
}  // namespace asgard::rpc
