// File: cron_test_util.h
// Test-only helpers for the cron tests: a table row of expected fire times and its checker.
// Expected times are written by hand from the calendar, in the schedule's zone.
//
//   NextCase{"30 2 * * *", "2026-03-07T02:30:00-05:00", {"2026-03-08T03:00:00-04:00"},
//            "America/New_York"}
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "sched/cron_schedule.h"

namespace asgard::sched::testing_util {

inline constexpr char kRfc3339[] = "%Y-%m-%dT%H:%M:%S%Ez";

inline absl::TimeZone Zone(const std::string& name) {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone(name, &zone)) << name;
  return zone;
}

inline absl::Time T(const std::string& rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime("%Y-%m-%dT%H:%M:%E*S%Ez", rfc3339, &t, &err)) << rfc3339 << err;
  return t;
}

// Parse `spec` with default zone `zone`, then call Next repeatedly from `from`; the results,
// printed in the schedule's zone, must be `want` in order.
struct NextCase {
  const char* spec;
  const char* from;
  std::vector<const char*> want;
  const char* zone = "UTC";
};

inline void PrintTo(const NextCase& c, std::ostream* os) {
  *os << '"' << c.spec << "\" in " << c.zone << " from " << c.from;
}

inline void ExpectFires(const NextCase& c) {
  absl::StatusOr<CronSchedule> s = CronSchedule::Parse(c.spec, Zone(c.zone));
  ASSERT_TRUE(s.ok()) << c.spec << ": " << s.status();
  absl::Time t = T(c.from);
  std::vector<std::string> got;
  for (size_t i = 0; i < c.want.size(); ++i) {
    std::optional<absl::Time> next = s->Next(t);
    if (!next.has_value()) break;
    EXPECT_GT(*next, t);
    got.push_back(absl::FormatTime(kRfc3339, *next, s->zone()));
    t = *next;
  }
  EXPECT_EQ(got, std::vector<std::string>(c.want.begin(), c.want.end()))
      << c.spec << " in " << c.zone << " from " << c.from;
}

}  // namespace asgard::sched::testing_util
