// Parse: accepted forms, error messages, zone prefixes and accessors.
// Fire times are checked in cron_next_test.cc and cron_dst_test.cc.
#include "sched/cron_schedule.h"

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sched/cron_test_util.h"

namespace asgard::sched {
namespace {

using ::testing::HasSubstr;
using testing_util::T;
using testing_util::Zone;

// ---------------------------------------------------------------------------------------------
// Specs that must parse.

class AcceptTest : public testing::TestWithParam<const char*> {};

TEST_P(AcceptTest, Parses) {
  absl::StatusOr<CronSchedule> s = CronSchedule::Parse(GetParam(), absl::UTCTimeZone());
  ASSERT_TRUE(s.ok()) << GetParam() << ": " << s.status();
  EXPECT_EQ(s->spec(), GetParam());
  EXPECT_TRUE(s->Next(T("2026-01-01T00:00:00+00:00")).has_value()) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(
    Forms, AcceptTest,
    testing::Values(
        "* * * * *", "0 * * * *", "59 23 31 12 6", "0 0 1 1 0", "0 0 * * 7",
        "0-59 0-23 1-31 1-12 0-7", "*/1 */1 */1 */1 */1", "*/59 */23 */31 */12 */7",
        "1,2,3 4,5 6,7 8,9 1,2", "1-5,10-15,30 * * * *", "0/5 * * * *", "55/1 * * * *",
        "0 12 ? * ?", "0 12 ? * MON", "0 12 15 * ?", "0 0 ?/2 * *", "0 0 * JAN-DEC SUN-SAT",
        "0 0 * jan-dec sun-sat", "0 0 * Jan,Feb,mAr Mon,tUe,WED", "0 0 * * mon-fri",
        "0 0 * * FRI-SAT", "0 0 * */2 *", "0 0 * FEB/3 *", "0 0 * * TUE/2", "0 0 * JUN-AUG/2 *",
        "0 0 29 2 *", "0 0 31 * *", "0 0 31 1,3,5,7,8,10,12 *", "0 0 30 2 MON", "0 0 30 4 ?",
        "0 0 1-31/10 * *", "00 09 01 01 00", "0 0 0 * * *", "*/10 * * * * *", "59 59 23 31 12 7",
        "0,30 * * * * *", "0 0 12 * * MON-FRI", "@yearly", "@annually", "@monthly", "@weekly",
        "@daily", "@midnight", "@hourly", "@DAILY", "@Hourly", "@every 1h30m", "@every 10s",
        "@every 500ms", "@every 1.5h", "@EVERY 5m", "  0 * * * *  ", "\t0\t*\t*\t*\t*\n",
        "0  *   *  * *", "CRON_TZ=UTC 0 * * * *", "TZ=UTC 0 * * * *",
        "CRON_TZ=America/New_York 30 2 * * *", "TZ=Asia/Shanghai 0 9 * * MON-FRI",
        "CRON_TZ=Europe/Berlin @daily", "CRON_TZ=Australia/Sydney @every 1h",
        "CRON_TZ=Asia/Shanghai   0 0 * * *", "0 0 1/1 * *", "0 0 * * 7/1", "0 0 * * 0-7",
        "0 0 * * 6-7", "0 23 * * *", "0 0 1 12 *", "0 0 1 * 1", "0 0 */99 * *", "*/100 * * * *"));

// ---------------------------------------------------------------------------------------------
// Specs that must fail, with the parts each message must contain.

struct ErrorCase {
  const char* spec;
  std::vector<const char*> parts;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << '"' << c.spec << '"'; }

class ErrorTest : public testing::TestWithParam<ErrorCase> {};

TEST_P(ErrorTest, IsInvalidArgumentNamingTheProblem) {
  absl::StatusOr<CronSchedule> s = CronSchedule::Parse(GetParam().spec, absl::UTCTimeZone());
  ASSERT_FALSE(s.ok()) << GetParam().spec;
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  for (const char* part : GetParam().parts) {
    EXPECT_THAT(s.status().message(), HasSubstr(part)) << GetParam().spec;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shape, ErrorTest,
    testing::Values(ErrorCase{"", {"empty cron spec"}}, ErrorCase{"   ", {"empty cron spec"}},
                    ErrorCase{"\t\n", {"empty cron spec"}},
                    ErrorCase{"* * * *", {"expected 5 or 6 fields, got 4"}},
                    ErrorCase{"*", {"expected 5 or 6 fields, got 1"}},
                    ErrorCase{"0 0", {"expected 5 or 6 fields, got 2"}},
                    ErrorCase{"* * * * * * *", {"expected 5 or 6 fields, got 7"}},
                    ErrorCase{"0 0 * * * 1 2", {"expected 5 or 6 fields, got 7"}},
                    ErrorCase{"0 0 * * * extra", {"field 6 (day of week): unknown name 'extra'"}},
                    ErrorCase{"@foo", {"unknown descriptor '@foo'"}},
                    ErrorCase{"@", {"unknown descriptor '@'"}},
                    ErrorCase{"@reboot", {"unknown descriptor '@reboot'"}},
                    ErrorCase{"@daily now", {"unexpected 'now' after '@daily'"}},
                    ErrorCase{"@hourly 0 * * * *", {"unexpected '0' after '@hourly'"}},
                    ErrorCase{"@every", {"@every takes exactly one duration"}},
                    ErrorCase{"@every 1h extra", {"@every takes exactly one duration"}},
                    ErrorCase{"@every 1h 30m", {"@every takes exactly one duration"}},
                    ErrorCase{"@every 0s", {"@every duration must be positive", "'0s'"}},
                    ErrorCase{"@every 0", {"@every duration must be positive"}},
                    ErrorCase{"@every -5m", {"@every duration must be positive", "'-5m'"}},
                    ErrorCase{"@every abc", {"invalid duration 'abc'"}},
                    ErrorCase{"@every 10", {"missing unit in duration '10'"}},
                    ErrorCase{"@every 10x", {"unknown unit 'x' in duration '10x'"}},
                    ErrorCase{"@every 1d", {"unknown unit 'd' in duration '1d'"}}));

INSTANTIATE_TEST_SUITE_P(
    Zone, ErrorTest,
    testing::Values(ErrorCase{"CRON_TZ=Mars/Base 0 * * * *", {"unknown time zone 'Mars/Base'"}},
                    ErrorCase{"TZ=Mars/Base 0 * * * *", {"unknown time zone 'Mars/Base'"}},
                    ErrorCase{"CRON_TZ= 0 * * * *", {"unknown time zone ''"}},
                    ErrorCase{"CRON_TZ=america/new_york 0 * * * *", {"unknown time zone"}},
                    ErrorCase{"CRON_TZ=UTC", {"missing schedule after 'CRON_TZ=UTC'"}},
                    ErrorCase{"TZ=UTC   ", {"missing schedule after 'TZ=UTC'"}},
                    ErrorCase{"CRON_TZ=UTC 61 * * * *",
                              {"field 1 (minute) value 61 is out of range 0-59"}},
                    ErrorCase{"CRON_TZ=UTC * * * *", {"expected 5 or 6 fields, got 4"}},
                    ErrorCase{"CRON_TZ=UTC @every 0s", {"must be positive"}},
                    ErrorCase{"CRON_TZ=UTC 0 0 30 2 *", {"never fires"}}));

INSTANTIATE_TEST_SUITE_P(
    Range, ErrorTest,
    testing::Values(
        ErrorCase{"61 * * * *", {"field 1 (minute) value 61 is out of range 0-59"}},
        ErrorCase{"60 * * * *", {"field 1 (minute) value 60 is out of range 0-59"}},
        ErrorCase{"0-60 * * * *", {"field 1 (minute) value 60 is out of range 0-59"}},
        ErrorCase{"60/5 * * * *", {"field 1 (minute) value 60 is out of range 0-59"}},
        ErrorCase{"1,2,99 * * * *", {"field 1 (minute) value 99 is out of range 0-59"}},
        ErrorCase{"99999999999 * * * *",
                  {"field 1 (minute) value 99999999999 is out of range 0-59"}},
        ErrorCase{"* 24 * * *", {"field 2 (hour) value 24 is out of range 0-23"}},
        ErrorCase{"* 0-24 * * *", {"field 2 (hour) value 24 is out of range 0-23"}},
        ErrorCase{"* * 0 * *", {"field 3 (day of month) value 0 is out of range 1-31"}},
        ErrorCase{"* * 32 * *", {"field 3 (day of month) value 32 is out of range 1-31"}},
        ErrorCase{"* * 0-5 * *", {"field 3 (day of month) value 0 is out of range 1-31"}},
        ErrorCase{"* * * 0 *", {"field 4 (month) value 0 is out of range 1-12"}},
        ErrorCase{"* * * 13 *", {"field 4 (month) value 13 is out of range 1-12"}},
        ErrorCase{"* * * 1-13 *", {"field 4 (month) value 13 is out of range 1-12"}},
        ErrorCase{"* * * * 8", {"field 5 (day of week) value 8 is out of range 0-7"}},
        ErrorCase{"* * * * 1-8", {"field 5 (day of week) value 8 is out of range 0-7"}},
        ErrorCase{"60 * * * * *", {"field 1 (second) value 60 is out of range 0-59"}},
        ErrorCase{"* 60 * * * *", {"field 2 (minute) value 60 is out of range 0-59"}},
        ErrorCase{"* * 24 * * *", {"field 3 (hour) value 24 is out of range 0-23"}},
        ErrorCase{"* * * 32 * *", {"field 4 (day of month) value 32 is out of range 1-31"}},
        ErrorCase{"* * * * 13 *", {"field 5 (month) value 13 is out of range 1-12"}},
        ErrorCase{"* * * * * 8", {"field 6 (day of week) value 8 is out of range 0-7"}}));

INSTANTIATE_TEST_SUITE_P(
    Names, ErrorTest,
    testing::Values(ErrorCase{"* * * * FOO", {"field 5 (day of week): unknown name 'FOO'"}},
                    ErrorCase{"* * * * JAN", {"field 5 (day of week): unknown name 'JAN'"}},
                    ErrorCase{"* * * * MONDAY", {"field 5 (day of week): unknown name 'MONDAY'"}},
                    ErrorCase{"* * * * MON-FRIDAY", {"field 5 (day of week): unknown name"}},
                    ErrorCase{"* * * FOO *", {"field 4 (month): unknown name 'FOO'"}},
                    ErrorCase{"* * * MON *", {"field 4 (month): unknown name 'MON'"}},
                    ErrorCase{"* * * JANUARY *", {"field 4 (month): unknown name 'JANUARY'"}},
                    ErrorCase{"MON * * * *", {"field 1 (minute): invalid value 'MON'"}},
                    ErrorCase{"* JAN * * *", {"field 2 (hour): invalid value 'JAN'"}},
                    ErrorCase{"* * FRI * *", {"field 3 (day of month): invalid value 'FRI'"}},
                    ErrorCase{"* * * * * FOO", {"field 6 (day of week): unknown name 'FOO'"}},
                    ErrorCase{"* * * * FOO *", {"field 5 (month): unknown name 'FOO'"}},
                    ErrorCase{"JAN * * * * *", {"field 1 (second): invalid value 'JAN'"}}));

INSTANTIATE_TEST_SUITE_P(
    Syntax, ErrorTest,
    testing::Values(
        ErrorCase{"*/0 * * * *", {"field 1 (minute): step must be positive"}},
        ErrorCase{"* */0 * * *", {"field 2 (hour): step must be positive"}},
        ErrorCase{"0/0 * * * *", {"field 1 (minute): step must be positive"}},
        ErrorCase{"* * 1-10/0 * *", {"field 3 (day of month): step must be positive"}},
        ErrorCase{"*/0 * * * * *", {"field 1 (second): step must be positive"}},
        ErrorCase{"* * * * */00", {"field 5 (day of week): step must be positive"}},
        ErrorCase{"10-5 * * * *", {"field 1 (minute): range 10-5 is reversed"}},
        ErrorCase{"* 20-4 * * *", {"field 2 (hour): range 20-4 is reversed"}},
        ErrorCase{"* * 31-1 * *", {"field 3 (day of month): range 31-1 is reversed"}},
        ErrorCase{"* * * DEC-JAN *", {"field 4 (month): range DEC-JAN is reversed"}},
        ErrorCase{"* * * * FRI-MON", {"field 5 (day of week): range FRI-MON is reversed"}},
        ErrorCase{"* * * * 7-1", {"field 5 (day of week): range 7-1 is reversed"}},
        ErrorCase{"30-10 * * * * *", {"field 1 (second): range 30-10 is reversed"}},
        ErrorCase{"? * * * *", {"field 1 (minute): '?' is only allowed in the day fields"}},
        ErrorCase{"* ? * * *", {"field 2 (hour): '?' is only allowed in the day fields"}},
        ErrorCase{"* * * ? *", {"field 4 (month): '?' is only allowed in the day fields"}},
        ErrorCase{"? * * * * *", {"field 1 (second): '?' is only allowed in the day fields"}},
        ErrorCase{"1,,2 * * * *", {"field 1 (minute): missing value"}},
        ErrorCase{"1, * * * *", {"field 1 (minute): missing value"}},
        ErrorCase{",1 * * * *", {"field 1 (minute): missing value"}},
        ErrorCase{"5- * * * *", {"field 1 (minute): missing value in '5-'"}},
        ErrorCase{"-5 * * * *", {"field 1 (minute): missing value in '-5'"}},
        ErrorCase{"* * * -1 *", {"field 4 (month): missing value in '-1'"}},
        ErrorCase{"1-2-3 * * * *", {"field 1 (minute): invalid range '1-2-3'"}},
        ErrorCase{"*/5/2 * * * *", {"field 1 (minute): invalid step in '*/5/2'"}},
        ErrorCase{"*/x * * * *", {"field 1 (minute): invalid step 'x'"}},
        ErrorCase{"*/-1 * * * *", {"field 1 (minute): invalid step '-1'"}},
        ErrorCase{"*/ * * * *", {"field 1 (minute): invalid step ''"}},
        ErrorCase{"*/+2 * * * *", {"field 1 (minute): invalid step '+2'"}},
        ErrorCase{"*/2x * * * *", {"field 1 (minute): invalid step '2x'"}},
        ErrorCase{"1x * * * *", {"field 1 (minute): invalid value '1x'"}},
        ErrorCase{"1.5 * * * *", {"field 1 (minute): invalid value '1.5'"}},
        ErrorCase{"+1 * * * *", {"field 1 (minute): invalid value '+1'"}},
        ErrorCase{"*-5 * * * *", {"field 1 (minute): invalid value '*'"}},
        ErrorCase{"** * * * *", {"field 1 (minute): invalid value '**'"}},
        ErrorCase{"0 0 L * *", {"field 3 (day of month): invalid value 'L'"}},
        ErrorCase{"0 0 15W * *", {"field 3 (day of month): invalid value '15W'"}},
        ErrorCase{"0 0 * * 1#2", {"field 5 (day of week): invalid value '1#2'"}},
        ErrorCase{"0 0 * * 5L", {"field 5 (day of week): invalid value '5L'"}},
        ErrorCase{"0 0 * * * #", {"field 6 (day of week): invalid value '#'"}},
        ErrorCase{"0 0 * * MON/x", {"field 5 (day of week): invalid step 'x'"}}));

INSTANTIATE_TEST_SUITE_P(
    NeverFires, ErrorTest,
    testing::Values(
        ErrorCase{"0 0 30 2 *", {"never fires", "'30'", "'2'"}},
        ErrorCase{"0 0 31 2 *", {"never fires"}}, ErrorCase{"0 0 30,31 FEB *", {"never fires"}},
        ErrorCase{"0 0 30-31 2 ?", {"never fires"}},
        ErrorCase{"0 0 31 4,6,9,11 *", {"never fires", "'31'", "'4,6,9,11'"}},
        ErrorCase{"0 0 31 APR *", {"never fires"}}, ErrorCase{"0 0 31 jun *", {"never fires"}},
        ErrorCase{"0 0 31 SEP ?", {"never fires"}}, ErrorCase{"0 0 31 NOV *", {"never fires"}},
        ErrorCase{"0 0 31 2,4 *", {"never fires"}}, ErrorCase{"0 0 0 30 2 *", {"never fires"}},
        ErrorCase{"0 0 0 31 4 ?", {"never fires"}}));

// ---------------------------------------------------------------------------------------------
// Zones and accessors.

TEST(CronScheduleZone, PrefixOverridesDefault) {
  absl::StatusOr<CronSchedule> s =
      CronSchedule::Parse("CRON_TZ=Asia/Shanghai 0 9 * * *", Zone("America/New_York"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->zone().name(), "Asia/Shanghai");
  EXPECT_EQ(s->Next(T("2026-01-01T00:00:00+08:00")), T("2026-01-01T09:00:00+08:00"));
}

TEST(CronScheduleZone, ShortTzPrefix) {
  absl::StatusOr<CronSchedule> s = CronSchedule::Parse("TZ=Europe/Berlin 0 9 * * *");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->zone().name(), "Europe/Berlin");
  EXPECT_EQ(s->Next(T("2026-07-01T00:00:00+02:00")), T("2026-07-01T09:00:00+02:00"));
}

TEST(CronScheduleZone, DefaultZoneWithoutPrefix) {
  absl::StatusOr<CronSchedule> s = CronSchedule::Parse("0 9 * * *", Zone("Asia/Shanghai"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->zone().name(), "Asia/Shanghai");
  EXPECT_EQ(s->Next(T("2026-01-01T00:00:00Z")), T("2026-01-01T09:00:00+08:00"));
}

TEST(CronScheduleZone, SameSpecDifferentDefaultZones) {
  absl::StatusOr<CronSchedule> utc = CronSchedule::Parse("0 9 * * *", absl::UTCTimeZone());
  absl::StatusOr<CronSchedule> ny = CronSchedule::Parse("0 9 * * *", Zone("America/New_York"));
  ASSERT_TRUE(utc.ok() && ny.ok());
  EXPECT_EQ(utc->Next(T("2026-01-01T00:00:00Z")), T("2026-01-01T09:00:00Z"));
  EXPECT_EQ(ny->Next(T("2026-01-01T00:00:00Z")), T("2026-01-01T09:00:00-05:00"));
}

TEST(CronScheduleZone, LocalNameIsTheProcessZone) {
  absl::StatusOr<CronSchedule> s = CronSchedule::Parse("CRON_TZ=Local 0 * * * *");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->zone(), absl::LocalTimeZone());
}

TEST(CronScheduleZone, EveryKeepsThePrefixZone) {
  absl::StatusOr<CronSchedule> s = CronSchedule::Parse("CRON_TZ=Asia/Shanghai @every 1h");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->zone().name(), "Asia/Shanghai");
}

TEST(CronScheduleAccessors, SpecIsTheOriginalText) {
  const std::string text = "  CRON_TZ=UTC   */5 * * * *  ";
  absl::StatusOr<CronSchedule> s = CronSchedule::Parse(text);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->spec(), text);
}

TEST(CronScheduleAccessors, CopiesShareTheParsedSchedule) {
  absl::StatusOr<CronSchedule> s = CronSchedule::Parse("0 9 * * *", absl::UTCTimeZone());
  ASSERT_TRUE(s.ok());
  const CronSchedule copy = *s;
  EXPECT_EQ(copy.spec(), "0 9 * * *");
  EXPECT_EQ(copy.Next(T("2026-01-01T00:00:00Z")), s->Next(T("2026-01-01T00:00:00Z")));
}

TEST(CronScheduleAccessors, DefaultConstructedNeverFires) {
  const CronSchedule s;
  EXPECT_EQ(s.spec(), "");
  EXPECT_EQ(s.zone(), absl::UTCTimeZone());
  EXPECT_EQ(s.Next(T("2026-01-01T00:00:00Z")), std::nullopt);
}

TEST(CronScheduleNext, InfiniteInputsHaveNoNextTime) {
  absl::StatusOr<CronSchedule> s = CronSchedule::Parse("* * * * *", absl::UTCTimeZone());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->Next(absl::InfiniteFuture()), std::nullopt);
  EXPECT_EQ(s->Next(absl::InfinitePast()), std::nullopt);
}

}  // namespace
}  // namespace asgard::sched
