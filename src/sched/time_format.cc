#include "sched/time_format.h"

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "sched/zone_names.h"

// Debian's Abseil is built with its own absl::string_view (not an alias of std::string_view), so
// the std::string_view arguments of the API are converted once at the entry points.

namespace asgard::sched {
namespace {

constexpr char kRfc3339Example[] = "2026-11-25T10:30:00+08:00";

bool IsDigitAt(absl::string_view s, size_t i) {
  return i < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[i]));
}

bool DigitsAt(absl::string_view s, size_t i, size_t n) {
  for (size_t k = 0; k < n; ++k) {
    if (!IsDigitAt(s, i + k)) return false;
  }
  return true;
}

// absl::ParseTime alone is lenient (one-digit months, any number of year digits, free spaces),
// so the exact RFC 3339 shape is checked first: YYYY-MM-DD(T|t| )HH:MM:SS[.frac](Z|z|±HH:MM).
bool HasRfc3339Shape(absl::string_view s) {
  if (!DigitsAt(s, 0, 4) || s.size() < 20 || s[4] != '-' || !DigitsAt(s, 5, 2) || s[7] != '-' ||
      !DigitsAt(s, 8, 2)) {
    return false;
  }
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  if (!DigitsAt(s, 11, 2) || s[13] != ':' || !DigitsAt(s, 14, 2) || s[16] != ':' ||
      !DigitsAt(s, 17, 2)) {
    return false;
  }
  size_t i = 19;
  if (s[i] == '.') {
    ++i;
    if (!IsDigitAt(s, i)) return false;
    while (IsDigitAt(s, i)) ++i;
  }
  absl::string_view zone = s.substr(i);
  if (zone == "Z" || zone == "z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && DigitsAt(zone, 1, 2) &&
         zone[3] == ':' && DigitsAt(zone, 4, 2);
}

absl::Status NotRfc3339(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not an RFC 3339 time", why,
                                                 " (expected e.g. ", kRfc3339Example, ")"));
}

// Two or four digits at a fixed position of a text whose shape has been checked.
int FieldAt(absl::string_view s, size_t pos, size_t len) {
  int value = 0;
  for (size_t i = pos; i < pos + len; ++i) value = value * 10 + (s[i] - '0');
  return value;
}

// Names the first field out of its range, or returns "" when all are in range. Done here rather
// than left to absl::ParseTime, whose only reason is "Failed to parse input".
std::string RangeProblem(absl::string_view s) {
  struct Field {
    const char* name;
    size_t pos;
    int max;
  };
  const int year = FieldAt(s, 0, 4);
  const int month = FieldAt(s, 5, 2);
  if (month < 1 || month > 12) return absl::StrCat(": month ", month, " is out of range 1-12");
  const int day = FieldAt(s, 8, 2);
  const int last_day = (absl::CivilDay(absl::CivilMonth(year, month) + 1) - 1).day();
  if (day < 1 || day > last_day) {
    return absl::StrCat(": day ", day, " is out of range 1-", last_day);
  }
  const absl::string_view zone = s.substr(s.size() - 6);
  const bool has_offset = zone[0] == '+' || zone[0] == '-';
  for (const Field& f : {Field{"hour", 11, 23}, Field{"minute", 14, 59}, Field{"second", 17, 59}}) {
    const int v = FieldAt(s, f.pos, 2);
    if (v > f.max) return absl::StrCat(": ", f.name, " ", v, " is out of range 0-", f.max);
  }
  if (has_offset && (FieldAt(zone, 1, 2) > 23 || FieldAt(zone, 4, 2) > 59)) {
    return absl::StrCat(": offset ", zone, " is out of range");
  }
  return "";
}

// The name as an error message quotes it: a name may be a megabyte of anything.
std::string QuotedName(absl::string_view name) {
  constexpr size_t kShown = 64;
  if (name.size() <= kShown) return absl::StrCat("'", name, "'");
  return absl::StrCat("'", name.substr(0, kShown), "...' (", name.size(), " bytes)");
}

}  // namespace

std::string FormatIso8601(absl::Time t, absl::TimeZone zone) {
  // Printed by hand: absl::FormatTime parses its format on every call, and a page of tasks
  // prints a hundred times. Years of other widths and offsets with seconds (old local mean
  // times) take absl's path, whose output this matches.
  const absl::TimeZone::CivilInfo info = zone.At(t);
  const absl::CivilSecond cs = info.cs;
  if (cs.year() < 1000 || cs.year() > 9999 || info.offset % 60 != 0) {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", t, zone);
  }
  int offset_minutes = info.offset / 60;
  const char sign = offset_minutes < 0 ? '-' : '+';
  if (offset_minutes < 0) offset_minutes = -offset_minutes;
  char text[] = "0000-00-00T00:00:00+00:00";
  auto put = [&text](int at, int64_t value, int digits) {
    for (int i = digits - 1; i >= 0; --i, value /= 10) text[at + i] = static_cast<char>('0' + value % 10);
  };
  put(0, cs.year(), 4);
  put(5, cs.month(), 2);
  put(8, cs.day(), 2);
  put(11, cs.hour(), 2);
  put(14, cs.minute(), 2);
  put(17, cs.second(), 2);
  text[19] = sign;
  put(20, offset_minutes / 60, 2);
  put(23, offset_minutes % 60, 2);
  return std::string(text, sizeof(text) - 1);
}

absl::StatusOr<absl::Time> ParseRfc3339(std::string_view std_text) {
  const absl::string_view text(std_text.data(), std_text.size());
  if (!HasRfc3339Shape(text)) return NotRfc3339(text, "");
  if (std::string problem = RangeProblem(text); !problem.empty()) {
    return NotRfc3339(text, problem);
  }
  std::string normalized(text);
  normalized[10] = 'T';  // the RFC allows 't' and, by its note, a space
  if (normalized.back() == 'z') normalized.back() = 'Z';
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, normalized, &t, &error)) {
    return NotRfc3339(text, absl::StrCat(": ", absl::AsciiStrToLower(error)));
  }
  return t;
}

absl::StatusOr<absl::TimeZone> LoadZone(std::string_view name) {
  return LoadZone(name, HostZoneNames());
}

absl::StatusOr<absl::TimeZone> LoadZone(std::string_view std_name, const ZoneNames& known) {
  const absl::string_view name(std_name.data(), std_name.size());
  if (name == "Local") return absl::LocalTimeZone();  // as Go's time.LoadLocation
  if (name == "UTC") return absl::UTCTimeZone();
  absl::TimeZone zone;
  // Checked against the list first: only then may the loader open a file by this name.
  if (!known.Contains(std_name) || !absl::LoadTimeZone(std::string(name), &zone)) {
    std::string why =
        "expected an IANA name of the tz database such as Asia/Shanghai, UTC or Local";
    if (known.size() == 0) {
      absl::StrAppend(&why, "; no list of names at ", HostZoneListPath(), ": install tzdata");
    }
    return absl::InvalidArgumentError(
        absl::StrCat("unknown time zone ", QuotedName(name), " (", why, ")"));
  }
  return zone;
}

}  // namespace asgard::sched
