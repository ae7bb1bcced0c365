// File: time_format.h
// Time zones and the textual time forms Asgard reads and prints.
//
//   absl::StatusOr<absl::Time> t = ParseRfc3339("2026-11-25T10:30:00+08:00");
//   std::cout << FormatIso8601(*t, absl::UTCTimeZone());  // 2026-11-25T02:30:00+00:00
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace asgard::sched {

// Formats as "YYYY-MM-DDTHH:MM:SS+HH:MM" in `zone` (the form `asgard cron next` prints).
std::string FormatIso8601(absl::Time t, absl::TimeZone zone);

// Parses RFC 3339 ("2026-11-25T10:30:00+08:00", "...Z", optional fractional seconds).
// InvalidArgument naming the text and the expected form otherwise.
absl::StatusOr<absl::Time> ParseRfc3339(std::string_view text);

class ZoneNames;

// Loads a zone of the tz database by name ("Asia/Shanghai", "UTC", "Local"); InvalidArgument if
// the name is not one of `known` (this host's list, sched/zone_names.h), so that a user-given
// name never makes the loader open a path. Every zone a user names is loaded through here.
absl::StatusOr<absl::TimeZone> LoadZone(std::string_view name);
absl::StatusOr<absl::TimeZone> LoadZone(std::string_view name, const ZoneNames& known);

}  // namespace asgard::sched
