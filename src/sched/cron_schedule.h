// File: cron_schedule.h
// A parsed cron spec and its next fire times (SPEC.md section 4).
//
//   absl::StatusOr<CronSchedule> s = CronSchedule::Parse("CRON_TZ=Asia/Shanghai 0 9 * * MON-FRI");
//   if (!s.ok()) return s.status();  // "field 5 (day of week) value 8 out of range 0-7"
//   std::optional<absl::Time> next = s->Next(absl::Now());
//
// Accepted: 5 fields (minute hour dom month dow) or 6 (seconds first); names (JAN-DEC, SUN-SAT),
// ranges, lists, steps (`N/step` is `N-max/step`), `?` as `*` in the day fields; descriptors
// @yearly @annually @monthly @weekly @daily @midnight @hourly and `@every DURATION`; a leading
// `CRON_TZ=Zone ` or `TZ=Zone `. When both day fields are restricted either may match; a field is
// unrestricted only when it is exactly `*` or `?`. A spec that can never fire is an error.
// Daylight saving: a fixed time inside a skipped hour fires once at the first instant after the
// gap; in a repeated hour a fixed-hour job fires once (first occurrence) while a wildcard- or
// step-hour job fires in both; wildcard-hour jobs have no fires inside a gap.
//
// Thread-safety: immutable after Parse; const methods are safe from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace asgard::sched {

class CronSchedule {
 public:
  // Parses `spec`. Errors are InvalidArgument with a message that names the field (position and
  // name) and the reason, e.g. "field 1 (minute) value 61 is out of range 0-59".
  // `default_zone` is used when the spec has no CRON_TZ=/TZ= prefix.
  static absl::StatusOr<CronSchedule> Parse(std::string_view spec,
                                            absl::TimeZone default_zone = absl::LocalTimeZone());

  // The first fire time strictly after `after`; nullopt only if none exists within ~5 years
  // (Parse already rejects specs that can never fire).
  std::optional<absl::Time> Next(absl::Time after) const;

  // The zone the spec is evaluated in (CRON_TZ / TZ, else the default given to Parse).
  absl::TimeZone zone() const;
  const std::string& spec() const;

 private:
  struct Impl;
  // Implementation detail chosen by the parser (bitsets per field, @every interval, ...).
  std::shared_ptr<const Impl> impl_;  // shared: immutable, cheap copies of a parsed schedule
};

// Parses "1h30m", "10s", "500ms", "2h" (Go duration syntax, as `@every` takes it).
absl::StatusOr<absl::Duration> ParseGoDuration(std::string_view text);

}  // namespace asgard::sched
