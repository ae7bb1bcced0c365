#include "sched/time_format.h"

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace asgard::sched {
namespace {

using ::testing::HasSubstr;

absl::Time Utc(int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

struct ParseCase {
  std::string text;
  absl::Time want;
};

TEST(ParseRfc3339, AcceptsOffsetsZuluAndFractions) {
  const std::vector<ParseCase> cases = {
      {"2026-11-25T10:30:00+08:00", Utc(2026, 11, 25, 2, 30, 0)},
      {"2026-11-25T10:30:00-05:30", Utc(2026, 11, 25, 16, 0, 0)},
      {"2026-11-25T10:30:00+00:00", Utc(2026, 11, 25, 10, 30, 0)},
      {"2026-11-25T10:30:00Z", Utc(2026, 11, 25, 10, 30, 0)},
      {"2026-11-25t10:30:00z", Utc(2026, 11, 25, 10, 30, 0)},
      {"2026-11-25 10:30:00Z", Utc(2026, 11, 25, 10, 30, 0)},
      {"2026-11-25T10:30:00.5Z", Utc(2026, 11, 25, 10, 30, 0) + absl::Milliseconds(500)},
      {"2026-11-25T10:30:00.123456789+01:00",
       Utc(2026, 11, 25, 9, 30, 0) + absl::Nanoseconds(123456789)},
      {"2024-02-29T00:00:00Z", Utc(2024, 2, 29, 0, 0, 0)},
      {"1970-01-01T00:00:00Z", absl::UnixEpoch()},
  };
  for (const ParseCase& c : cases) {
    absl::StatusOr<absl::Time> got = ParseRfc3339(c.text);
    ASSERT_TRUE(got.ok()) << c.text << ": " << got.status();
    EXPECT_EQ(*got, c.want) << c.text;
  }
}

struct BadCase {
  std::string text;
  std::string want_substr;
};

TEST(ParseRfc3339, RejectsBadInputNamingTextAndForm) {
  const std::vector<BadCase> cases = {
      {"", "'' is not an RFC 3339 time"},
      {"tomorrow", "'tomorrow' is not an RFC 3339 time"},
      {"2026-11-25", "'2026-11-25' is not"},
      {"2026-11-25T10:30:00", "is not"},  // no offset: ambiguous
      {"2026-1-25T10:30:00Z", "'2026-1-25T10:30:00Z' is not"},
      {"2026-11-25T10:30Z", "is not"},
      {"2026-11-25T10:30:00+0800", "is not"},
      {"2026-11-25T10:30:00.Z", "is not"},
      {" 2026-11-25T10:30:00Z", "is not"},
      {"2026-11-25T10:30:00Z ", "is not"},
      {"2026-13-01T00:00:00Z", "month 13 is out of range 1-12"},
      {"2026-00-01T00:00:00Z", "month 0 is out of range 1-12"},
      {"2026-02-29T00:00:00Z", "day 29 is out of range 1-28"},
      {"2024-04-31T00:00:00Z", "day 31 is out of range 1-30"},
      {"2026-11-00T00:00:00Z", "day 0 is out of range 1-30"},
      {"2026-11-25T24:00:00Z", "hour 24 is out of range 0-23"},
      {"2026-11-25T10:61:00Z", "minute 61 is out of range 0-59"},
      {"2026-11-25T10:00:60Z", "second 60 is out of range 0-59"},
      {"2026-11-25T10:00:00+24:00", "offset +24:00 is out of range"},
  };
  for (const BadCase& c : cases) {
    absl::StatusOr<absl::Time> got = ParseRfc3339(c.text);
    ASSERT_FALSE(got.ok()) << c.text;
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << c.text;
    const std::string message(got.status().message());
    EXPECT_THAT(message, HasSubstr(c.want_substr)) << c.text;
    EXPECT_THAT(message, HasSubstr("expected e.g. 2026-11-25T10:30:00+08:00")) << c.text;
  }
}

TEST(FormatIso8601, PrintsOffsetOfTheZone) {
  const absl::Time t = Utc(2026, 11, 25, 2, 30, 0);
  absl::TimeZone shanghai;
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &shanghai));
  EXPECT_EQ(FormatIso8601(t, absl::UTCTimeZone()), "2026-11-25T02:30:00+00:00");
  EXPECT_EQ(FormatIso8601(t, shanghai), "2026-11-25T10:30:00+08:00");
  EXPECT_EQ(FormatIso8601(t, absl::FixedTimeZone(-(5 * 3600 + 1800))), "2026-11-24T21:00:00-05:30");
  // Fractions are not printed: the form has whole seconds.
  EXPECT_EQ(FormatIso8601(t + absl::Milliseconds(999), absl::UTCTimeZone()),
            "2026-11-25T02:30:00+00:00");
}

TEST(FormatIso8601, PrintsWhatAbslFormatTimePrints) {
  absl::TimeZone ny, kolkata, lmt;
  ASSERT_TRUE(absl::LoadTimeZone("America/New_York", &ny));
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Kolkata", &kolkata));
  ASSERT_TRUE(absl::LoadTimeZone("Asia/Shanghai", &lmt));  // +08:05:43 before 1901
  const absl::Time times[] = {
      Utc(2026, 11, 25, 2, 30, 0),      Utc(1970, 1, 1, 0, 0, 0) - absl::Milliseconds(1),
      Utc(2024, 2, 29, 23, 59, 59),     Utc(2031, 3, 9, 6, 59, 59),  // New York's DST change
      Utc(1000, 1, 1, 0, 0, 0),         Utc(9999, 12, 31, 23, 59, 59),
      Utc(999, 12, 31, 23, 59, 59),     Utc(10000, 1, 1, 0, 0, 0),
      Utc(1890, 6, 1, 12, 0, 0),
  };
  for (const absl::TimeZone& zone :
       {absl::UTCTimeZone(), ny, kolkata, lmt, absl::FixedTimeZone(-(9 * 3600 + 30 * 60))}) {
    for (absl::Time t : times) {
      EXPECT_EQ(FormatIso8601(t, zone), absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", t, zone))
          << zone.name() << " " << absl::ToUnixSeconds(t);
    }
  }
}

TEST(FormatIso8601, RoundTripsThroughParse) {
  const absl::Time t = Utc(2031, 3, 9, 23, 59, 59);
  absl::TimeZone ny;
  ASSERT_TRUE(absl::LoadTimeZone("America/New_York", &ny));
  for (const absl::TimeZone& zone : {absl::UTCTimeZone(), ny}) {
    absl::StatusOr<absl::Time> back = ParseRfc3339(FormatIso8601(t, zone));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, t);
  }
}

TEST(LoadZone, LoadsIanaNamesUtcAndLocal) {
  absl::StatusOr<absl::TimeZone> local = LoadZone("Local");
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(*local, absl::LocalTimeZone());

  absl::StatusOr<absl::TimeZone> utc = LoadZone("UTC");
  ASSERT_TRUE(utc.ok());
  EXPECT_EQ(*utc, absl::UTCTimeZone());

  for (const char* name : {"Asia/Shanghai", "America/Argentina/Buenos_Aires", "Etc/GMT+8"}) {
    absl::StatusOr<absl::TimeZone> zone = LoadZone(name);
    ASSERT_TRUE(zone.ok()) << name << ": " << zone.status();
    EXPECT_EQ(zone->name(), name);
  }
}

TEST(LoadZone, RejectsUnknownAndPathLikeNames) {
  for (const char* name : {"Mars/Olympus_Mons", "", "local", "/etc/localtime", "../zoneinfo/UTC",
                           "Asia//Shanghai", "Asia/Shanghai ", "file:UTC"}) {
    absl::StatusOr<absl::TimeZone> zone = LoadZone(name);
    ASSERT_FALSE(zone.ok()) << name;
    EXPECT_EQ(zone.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(zone.status().message(),
                HasSubstr(std::string("unknown time zone '") + name + "'"));
    EXPECT_THAT(zone.status().message(), HasSubstr("expected an IANA name"));
  }
}

}  // namespace
}  // namespace asgard::sched
