// LoginThrottle on a fake clock: who is slowed down, for how long, and what memory it keeps.
#include "web/login_throttle.h"

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace asgard::web {
namespace {

using std::chrono::seconds;

class FakeClock {
 public:
  LoginThrottle::Clock AsClock() {
    return [this] { return now_; };
  }
  void Advance(std::chrono::steady_clock::duration d) { now_ += d; }

 private:
  std::chrono::steady_clock::time_point now_{std::chrono::hours(1000)};
};

// `n` failed attempts of `name` from `address`, each admitted.
void Fail(LoginThrottle& throttle, const std::string& name, const std::string& address, int n) {
  for (int i = 0; i < n; ++i) {
    ASSERT_FALSE(throttle.Admit(name, address).has_value()) << name << " attempt " << i + 1;
  }
}

TEST(LoginThrottle, FiveFreeFailuresThenADelayThatDoubles) {
  FakeClock clock;
  LoginThrottle throttle(clock.AsClock());
  Fail(throttle, "admin", "10.0.0.1", 5);
  EXPECT_EQ(throttle.Admit("admin", "10.0.0.1"), seconds(5));
  clock.Advance(seconds(5));
  Fail(throttle, "admin", "10.0.0.1", 1);  // the 6th
  EXPECT_EQ(throttle.Admit("admin", "10.0.0.1"), seconds(10));
  clock.Advance(seconds(10));
  Fail(throttle, "admin", "10.0.0.1", 1);
  EXPECT_EQ(throttle.Admit("admin", "10.0.0.1"), seconds(20));
}

TEST(LoginThrottle, TheDelayStopsAtFifteenMinutesAndIsForgottenAfterAnHourOfQuiet) {
  FakeClock clock;
  LoginThrottle throttle(clock.AsClock());
  Fail(throttle, "admin", "10.0.0.1", 5);
  for (int i = 0; i < 12; ++i) {
    clock.Advance(std::chrono::minutes(15));
    Fail(throttle, "admin", "10.0.0.1", 1);
  }
  EXPECT_EQ(throttle.Admit("admin", "10.0.0.1"), seconds(15 * 60));
  clock.Advance(std::chrono::hours(1));
  Fail(throttle, "admin", "10.0.0.1", 5);  // a fresh start
}

TEST(LoginThrottle, AStrangerCannotLockTheAdministratorOutFromElsewhere) {
  FakeClock clock;
  LoginThrottle throttle(clock.AsClock());
  Fail(throttle, "admin", "203.0.113.9", 5);
  EXPECT_TRUE(throttle.Admit("admin", "203.0.113.9").has_value());
  EXPECT_FALSE(throttle.Admit("admin", "10.0.0.1").has_value());  // the real admin
}

TEST(LoginThrottle, OneAddressIsSlowedDownAcrossNames) {
  FakeClock clock;
  LoginThrottle throttle(clock.AsClock());
  for (int i = 0; i < 20; ++i) Fail(throttle, absl::StrCat("user", i), "203.0.113.9", 1);
  EXPECT_EQ(throttle.Admit("user99", "203.0.113.9"), seconds(5));
  EXPECT_FALSE(throttle.Admit("user99", "203.0.113.10").has_value());
}

TEST(LoginThrottle, AnIpv6ClientIsCountedByItsSlash64) {
  FakeClock clock;
  LoginThrottle throttle(clock.AsClock());
  for (int i = 0; i < 20; ++i) {
    Fail(throttle, absl::StrCat("user", i), absl::StrCat("2001:db8:1:2::", i + 1), 1);
  }
  EXPECT_TRUE(throttle.Admit("admin", "2001:db8:1:2:ffff::1").has_value());
  EXPECT_FALSE(throttle.Admit("admin", "2001:db8:1:3::1").has_value());
  EXPECT_EQ(ThrottleKeyOfAddress("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::/64");
  EXPECT_EQ(ThrottleKeyOfAddress("::ffff:10.0.0.1"), "10.0.0.1");
}

TEST(LoginThrottle, ASuccessForgetsTheNamesFailuresAndTakesBackItsOwnCount) {
  FakeClock clock;
  LoginThrottle throttle(clock.AsClock());
  Fail(throttle, "admin", "10.0.0.1", 4);
  Fail(throttle, "admin", "10.0.0.1", 1);
  throttle.Succeeded("admin", "10.0.0.1");
  Fail(throttle, "admin", "10.0.0.1", 5);
}

TEST(LoginThrottle, ParallelAttemptsAreCountedBeforeTheirPasswordIsChecked) {
  FakeClock clock;
  LoginThrottle throttle(clock.AsClock());
  int admitted = 0;
  for (int i = 0; i < 100; ++i) admitted += throttle.Admit("admin", "10.0.0.1") ? 0 : 1;
  EXPECT_EQ(admitted, 5);
}

TEST(LoginThrottle, AFloodOfNamesAndAddressesKeepsTheTablesBounded) {
  FakeClock clock;
  LoginThrottle throttle(clock.AsClock(), /*capacity=*/100);
  for (int i = 0; i < 10000; ++i) {
    clock.Advance(std::chrono::milliseconds(1));
    (void)throttle.Admit(absl::StrCat("name", i, std::string(200, 'x')),
                         absl::StrCat("10.", i / 65536, ".", i / 256 % 256, ".", i % 256));
  }
  EXPECT_EQ(throttle.SizeForTest(), 200u);
}

TEST(LoginThrottle, AFullTableDropsItsOldestKeyNotAll) {
  FakeClock clock;
  LoginThrottle throttle(clock.AsClock(), /*capacity=*/10);
  Fail(throttle, "admin", "198.51.100.7", 5);  // a guesser, now slowed down
  for (int i = 0; i < 9; ++i) {
    clock.Advance(std::chrono::milliseconds(1));
    Fail(throttle, absl::StrCat("name", i), absl::StrCat("10.0.0.", i + 1), 1);
  }
  EXPECT_EQ(throttle.SizeForTest(), 20u);  // both tables full
  EXPECT_TRUE(throttle.Admit("admin", "198.51.100.7").has_value());
  clock.Advance(std::chrono::milliseconds(1));
  Fail(throttle, "name9", "10.0.0.10", 1);
  EXPECT_EQ(throttle.SizeForTest(), 20u);  // one key dropped from each, not all
  // The one dropped is the oldest: the guesser's (nobody else was slowed down).
  EXPECT_FALSE(throttle.Admit("admin", "198.51.100.7").has_value());
}

}  // namespace
}  // namespace asgard::web
