// File: cron_fields.h
// Internal to src/sched: the bitset form of a 5- or 6-field cron spec and the search over it.
// CronSchedule (cron_schedule.h) is the public face; include this only from cron_*.cc and tests.
//
//   absl::StatusOr<CronFields> f = ParseCronFields({"30", "2", "*", "*", "*"});
//   std::optional<absl::Time> t = NextCronTime(*f, zone, after, after + absl::Hours(24 * 366));
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace asgard::sched::cron_internal {

// Bit v of a mask is set when value v matches. Immutable once parsed.
struct CronFields {
  uint64_t seconds = 0;   // bits 0-59 (5-field specs: bit 0 only)
  uint64_t minutes = 0;   // bits 0-59
  uint64_t hours = 0;     // bits 0-23
  uint64_t days = 0;      // day of month, bits 1-31
  uint64_t months = 0;    // bits 1-12
  uint64_t weekdays = 0;  // bits 0-6, 0 = Sunday (an explicit 7 is folded into 0)
  // The day field was exactly `*` or `?`. When neither day field is, either may match.
  bool days_star = false;
  bool weekdays_star = false;
  // The hour field is neither `*` nor a step: such a job fires once in a repeated (fall-back)
  // hour and is moved to the end of a skipped (spring-forward) gap instead of being dropped.
  bool hour_fixed = false;
};

// Parses 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first).
// InvalidArgument naming the field position, name and reason; also rejects specs whose day and
// month fields can never coincide ("never fires: ...").
absl::StatusOr<CronFields> ParseCronFields(const std::vector<absl::string_view>& fields);

// The first civil second in [lo, hi) that all fields match, if any. Pure calendar arithmetic.
std::optional<absl::CivilSecond> FirstMatch(const CronFields& f, absl::CivilSecond lo,
                                            absl::CivilSecond hi);

// The first fire instant in `zone` strictly after `after` and before `limit`, with the
// daylight-saving rules of cron_schedule.h applied.
std::optional<absl::Time> NextCronTime(const CronFields& f, absl::TimeZone zone, absl::Time after,
                                       absl::Time limit);

}  // namespace asgard::sched::cron_internal
