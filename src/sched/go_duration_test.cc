// ParseGoDuration (Go's time.ParseDuration; the cases follow Go's own time_test.go) and the
// `@every` schedules built on it.
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sched/cron_schedule.h"
#include "sched/cron_test_util.h"

namespace asgard::sched {
namespace {

using ::testing::HasSubstr;
using testing_util::ExpectFires;
using testing_util::NextCase;
using testing_util::T;

struct DurationCase {
  std::string text;
  absl::Duration want;
};

void PrintTo(const DurationCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class GoDurationTest : public testing::TestWithParam<DurationCase> {};

TEST_P(GoDurationTest, Parses) {
  absl::StatusOr<absl::Duration> d = ParseGoDuration(GetParam().text);
  ASSERT_TRUE(d.ok()) << GetParam().text << ": " << d.status();
  EXPECT_EQ(*d, GetParam().want) << GetParam().text;
}

constexpr int64_t kMaxNanos = std::numeric_limits<int64_t>::max();
constexpr int64_t kMinNanos = std::numeric_limits<int64_t>::min();

INSTANTIATE_TEST_SUITE_P(
    Go, GoDurationTest,
    testing::Values(
        DurationCase{"0", absl::ZeroDuration()}, DurationCase{"+0", absl::ZeroDuration()},
        DurationCase{"-0", absl::ZeroDuration()}, DurationCase{"0s", absl::ZeroDuration()},
        DurationCase{"5s", absl::Seconds(5)}, DurationCase{"30s", absl::Seconds(30)},
        DurationCase{"1478s", absl::Seconds(1478)}, DurationCase{"-5s", absl::Seconds(-5)},
        DurationCase{"+5s", absl::Seconds(5)}, DurationCase{"-0s", absl::ZeroDuration()},
        DurationCase{"+0s", absl::ZeroDuration()}, DurationCase{"5.0s", absl::Seconds(5)},
        DurationCase{"5.6s", absl::Seconds(5) + absl::Milliseconds(600)},
        DurationCase{"5.s", absl::Seconds(5)}, DurationCase{".5s", absl::Milliseconds(500)},
        DurationCase{"1.0s", absl::Seconds(1)}, DurationCase{"1.00s", absl::Seconds(1)},
        DurationCase{"1.004s", absl::Milliseconds(1004)},
        DurationCase{"1.0040s", absl::Milliseconds(1004)},
        DurationCase{"100.00100s", absl::Seconds(100) + absl::Milliseconds(1)},
        DurationCase{"10ns", absl::Nanoseconds(10)}, DurationCase{"11us", absl::Microseconds(11)},
        DurationCase{"12\u00b5s", absl::Microseconds(12)},
        DurationCase{"12\u03bcs", absl::Microseconds(12)},
        DurationCase{"13ms", absl::Milliseconds(13)}, DurationCase{"14s", absl::Seconds(14)},
        DurationCase{"15m", absl::Minutes(15)}, DurationCase{"16h", absl::Hours(16)},
        DurationCase{"3h30m", absl::Minutes(210)}, DurationCase{"1h30m", absl::Minutes(90)},
        DurationCase{"1.5h", absl::Minutes(90)}, DurationCase{"500ms", absl::Milliseconds(500)},
        DurationCase{"10.5s4m", absl::Minutes(4) + absl::Milliseconds(10500)},
        DurationCase{"-2m3.4s", -(absl::Minutes(2) + absl::Milliseconds(3400))},
        DurationCase{"1h2m3s4ms5us6ns", absl::Hours(1) + absl::Minutes(2) + absl::Seconds(3) +
                                            absl::Milliseconds(4) + absl::Microseconds(5) +
                                            absl::Nanoseconds(6)},
        DurationCase{"39h9m14.425s",
                     absl::Hours(39) + absl::Minutes(9) + absl::Milliseconds(14425)},
        DurationCase{"52763797000ns", absl::Nanoseconds(52763797000)},
        DurationCase{"0.3333333333333333333h", absl::Minutes(20)},
        DurationCase{"9007199254740993ns", absl::Nanoseconds(9007199254740993)},
        DurationCase{"9223372036854775807ns", absl::Nanoseconds(kMaxNanos)},
        DurationCase{"9223372036854775.807us", absl::Nanoseconds(kMaxNanos)},
        DurationCase{"9223372036s854ms775us807ns", absl::Nanoseconds(kMaxNanos)},
        DurationCase{"-9223372036854775808ns", absl::Nanoseconds(kMinNanos)},
        DurationCase{"-9223372036854775.808us", absl::Nanoseconds(kMinNanos)},
        DurationCase{"-9223372036s854ms775us808ns", absl::Nanoseconds(kMinNanos)},
        DurationCase{"-2562047h47m16.854775808s", absl::Nanoseconds(kMinNanos)},
        DurationCase{"0.100000000000000000000h", absl::Minutes(6)},
        DurationCase{"0.830103483285477580700h",
                     absl::Minutes(49) + absl::Seconds(48) + absl::Nanoseconds(372539827)},
        DurationCase{"2h45m30s", absl::Hours(2) + absl::Minutes(45) + absl::Seconds(30)},
        DurationCase{"1h1h", absl::Hours(2)}, DurationCase{"000001s", absl::Seconds(1)}));

struct BadDurationCase {
  std::string text;
  const char* message;
};

void PrintTo(const BadDurationCase& c, std::ostream* os) { *os << '"' << c.text << '"'; }

class BadGoDurationTest : public testing::TestWithParam<BadDurationCase> {};

TEST_P(BadGoDurationTest, IsInvalidArgument) {
  absl::StatusOr<absl::Duration> d = ParseGoDuration(GetParam().text);
  ASSERT_FALSE(d.ok()) << GetParam().text << " parsed as " << *d;
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(d.status().message()), HasSubstr(GetParam().message));
}

INSTANTIATE_TEST_SUITE_P(
    Go, BadGoDurationTest,
    testing::Values(
        BadDurationCase{"", "invalid duration ''"}, BadDurationCase{"3", "missing unit"},
        BadDurationCase{"-", "invalid duration '-'"}, BadDurationCase{"s", "invalid duration"},
        BadDurationCase{".", "invalid duration '.'"}, BadDurationCase{"-.", "invalid duration"},
        BadDurationCase{".s", "invalid duration"}, BadDurationCase{"+.s", "invalid duration"},
        BadDurationCase{"1d", "unknown unit 'd' in duration '1d'"},
        BadDurationCase{"1.1.1s", "missing unit in duration '1.1.1s'"},
        BadDurationCase{"1h 30m", "unknown unit 'h ' in duration"},
        BadDurationCase{"1H", "unknown unit 'H'"}, BadDurationCase{"1sec", "unknown unit 'sec'"},
        BadDurationCase{"\x85\x85", "invalid duration"},
        BadDurationCase{"\xff"
                        "ff",
                        "invalid duration"},
        BadDurationCase{"hello \xff"
                        "ff world",
                        "invalid duration"},
        BadDurationCase{"3000000h", "invalid duration"},
        BadDurationCase{"9223372036854775808ns", "invalid duration"},
        BadDurationCase{"9223372036854775.808us", "invalid duration"},
        BadDurationCase{"9223372036854ms775us808ns", "invalid duration"},
        BadDurationCase{"-9223372036854775809ns", "invalid duration"},
        BadDurationCase{"99999999999999999999s", "invalid duration"},
        BadDurationCase{"9223372036854775808ns9223372036854775808ns", "invalid duration"},
        BadDurationCase{"2562047h2562047h", "invalid duration"},
        BadDurationCase{"1h-30m", "unknown unit 'h-'"}, BadDurationCase{"--1s", "invalid"},
        BadDurationCase{" 1s", "invalid duration"}));

// `@every`: like robfig, the delay is whole seconds (at least one) counted from the start of the
// second `after` falls in; the zone does not matter.
class EveryTest : public testing::TestWithParam<NextCase> {};

TEST_P(EveryTest, FiresAtHandComputedTimes) { ExpectFires(GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    Every, EveryTest,
    testing::Values(
        NextCase{"@every 1h30m",
                 "2026-01-01T00:00:00+00:00",
                 {"2026-01-01T01:30:00+00:00", "2026-01-01T03:00:00+00:00"}},
        NextCase{"@every 10s",
                 "2026-01-01T00:00:00.700+00:00",
                 {"2026-01-01T00:00:10+00:00", "2026-01-01T00:00:20+00:00"}},
        NextCase{"@every 1.5h", "2026-01-01T00:00:00+00:00", {"2026-01-01T01:30:00+00:00"}},
        NextCase{"@every 500ms",
                 "2026-01-01T00:00:00.200+00:00",
                 {"2026-01-01T00:00:01+00:00", "2026-01-01T00:00:02+00:00"}},
        NextCase{"@every 1500ms",
                 "2026-01-01T00:00:00+00:00",
                 {"2026-01-01T00:00:01+00:00", "2026-01-01T00:00:02+00:00"}},
        NextCase{"@every 90s", "2026-01-01T00:00:00+00:00", {"2026-01-01T00:01:30+00:00"}},
        NextCase{"@every 24h", "2026-01-01T12:34:56+00:00", {"2026-01-02T12:34:56+00:00"}},
        NextCase{"@every 1m0.5s", "2026-01-01T00:00:00+00:00", {"2026-01-01T00:01:00+00:00"}},
        NextCase{"@every 2h45m30s",
                 "2026-01-01T00:00:00+00:00",
                 {"2026-01-01T02:45:30+00:00", "2026-01-01T05:31:00+00:00"}},
        NextCase{"@EVERY 5m", "2026-12-31T23:57:00+00:00", {"2027-01-01T00:02:00+00:00"}},
        NextCase{"@every 1ns", "2026-01-01T00:00:00+00:00", {"2026-01-01T00:00:01+00:00"}},
        NextCase{"@every 1h",
                 "2026-03-08T01:30:00-05:00",
                 {"2026-03-08T03:30:00-04:00", "2026-03-08T04:30:00-04:00"},
                 "America/New_York"},
        NextCase{"CRON_TZ=America/New_York @every 30m",
                 "2026-11-01T01:30:00-04:00",
                 {"2026-11-01T01:00:00-05:00", "2026-11-01T01:30:00-05:00"}}));

TEST(Every, IsAlwaysStrictlyAfterEvenOnWholeSeconds) {
  absl::StatusOr<CronSchedule> s = CronSchedule::Parse("@every 1s", absl::UTCTimeZone());
  ASSERT_TRUE(s.ok());
  const absl::Time t = T("2026-01-01T00:00:00+00:00");
  EXPECT_EQ(s->Next(t), t + absl::Seconds(1));
  EXPECT_EQ(s->Next(t + absl::Milliseconds(999)), t + absl::Seconds(1));
}

}  // namespace
}  // namespace asgard::sched
