#include "notify/throttle.h"

#include "gtest/gtest.h"

namespace asgard::notify {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'700'000'000);

Alert Fail(int64_t id, const std::string& run, const std::string& reason = "exited with status 1") {
  Alert a;
  a.kind = "app";
  a.id = id;
  a.run_uuid = run;
  a.reason = reason;
  return a;
}

TEST(AlertThrottle, FirstAlertOfATaskGoesAtOnce) {
  AlertThrottle t(absl::Minutes(5));
  auto out = t.Offer(Fail(1, "r1"), kT0);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->repeats, 0);
  EXPECT_EQ(out->alert.run_uuid, "r1");
}

TEST(AlertThrottle, CrashLoopSendsOneThenOneSummaryPerWindow) {
  AlertThrottle t(absl::Minutes(5));
  ASSERT_TRUE(t.Offer(Fail(1, "r0"), kT0));
  for (int i = 1; i <= 9; ++i) {
    EXPECT_FALSE(t.Offer(Fail(1, "r" + std::to_string(i)), kT0 + absl::Seconds(10 * i)));
  }
  EXPECT_TRUE(t.Due(kT0 + absl::Minutes(4)).empty());
  auto due = t.Due(kT0 + absl::Minutes(5));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].repeats, 9);
  EXPECT_EQ(due[0].alert.run_uuid, "r9");  // the last one held
  EXPECT_EQ(due[0].since, kT0);
  // The summary opened a new window: the next failure is held again, not sent.
  EXPECT_FALSE(t.Offer(Fail(1, "r10"), kT0 + absl::Minutes(6)));
}

TEST(AlertThrottle, QuietWindowCloses) {
  AlertThrottle t(absl::Minutes(5));
  ASSERT_TRUE(t.Offer(Fail(1, "a"), kT0));
  EXPECT_TRUE(t.Due(kT0 + absl::Minutes(5)).empty());
  EXPECT_EQ(t.open_windows(), 0u);
  EXPECT_TRUE(t.Offer(Fail(1, "b"), kT0 + absl::Minutes(7)));
}

TEST(AlertThrottle, TasksAreThrottledApart) {
  AlertThrottle t(absl::Minutes(5));
  EXPECT_TRUE(t.Offer(Fail(1, "a"), kT0));
  EXPECT_TRUE(t.Offer(Fail(2, "b"), kT0));
  Alert agent;
  agent.kind = "agent";
  agent.id = 1;  // same id, other kind: its own window
  EXPECT_TRUE(t.Offer(agent, kT0));
}

TEST(AlertThrottle, SecondAlertOfTheSameRunIsDropped) {
  AlertThrottle t(absl::ZeroDuration());  // even without throttling
  EXPECT_TRUE(t.Offer(Fail(1, "run-1", "timeout: still running after 5s; stopped"), kT0));
  EXPECT_FALSE(t.Offer(Fail(1, "run-1", "killed by signal: terminated"), kT0));
  EXPECT_TRUE(t.Offer(Fail(1, "", "start fail: no such file"), kT0));
  EXPECT_TRUE(t.Offer(Fail(1, "", "start fail: no such file"), kT0));  // no run: not merged
}

TEST(AlertThrottle, ZeroWindowSendsEverything) {
  AlertThrottle t(absl::ZeroDuration());
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(t.Offer(Fail(1, "r" + std::to_string(i)), kT0));
  EXPECT_TRUE(t.Due(kT0 + absl::Hours(1)).empty());
}

TEST(AlertThrottle, AlertAfterAnUnsentSummaryJoinsIt) {
  AlertThrottle t(absl::Minutes(5));
  ASSERT_TRUE(t.Offer(Fail(1, "r0"), kT0));
  EXPECT_FALSE(t.Offer(Fail(1, "r1"), kT0 + absl::Minutes(1)));
  // The window ended but Due() has not run yet: nothing is lost, and no second "first" alert.
  EXPECT_FALSE(t.Offer(Fail(1, "r2"), kT0 + absl::Minutes(6)));
  auto due = t.Due(kT0 + absl::Minutes(6));
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].repeats, 2);
  EXPECT_EQ(due[0].alert.run_uuid, "r2");
}

}  // namespace
}  // namespace asgard::notify
