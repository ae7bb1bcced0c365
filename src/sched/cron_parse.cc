#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <span>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"
#include "sched/cron_fields.h"

namespace asgard::sched::cron_internal {
namespace {

constexpr std::array<absl::string_view, 12> kMonthNames = {
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<absl::string_view, 7> kWeekdayNames = {"SUN", "MON", "TUE", "WED",
                                                            "THU", "FRI", "SAT"};

// How one field is read. `star_max` is the top of `*` and of `N/step`: day of week accepts 7 for
// Sunday but `*/2` and `1/2` stop at Saturday so that Sunday is not matched twice over.
struct FieldSpec {
  const char* name;
  int min;
  int max;
  int star_max;
  std::span<const absl::string_view> names;  // names[i] stands for value min_name + i
  int min_name;
  bool allows_question;
};

constexpr FieldSpec kSecond{"second", 0, 59, 59, {}, 0, false};
constexpr FieldSpec kMinute{"minute", 0, 59, 59, {}, 0, false};
constexpr FieldSpec kHour{"hour", 0, 23, 23, {}, 0, false};
constexpr FieldSpec kDayOfMonth{"day of month", 1, 31, 31, {}, 0, true};
constexpr FieldSpec kMonth{"month", 1, 12, 12, kMonthNames, 1, false};
constexpr FieldSpec kDayOfWeek{"day of week", 0, 7, 6, kWeekdayNames, 0, true};

// One field being parsed: where it sits in the spec (for messages) and how to read it.
class FieldParser {
 public:
  FieldParser(int position, const FieldSpec& spec) : position_(position), spec_(spec) {}

  absl::StatusOr<uint64_t> Parse(absl::string_view text) const {
    uint64_t bits = 0;
    for (absl::string_view item : absl::StrSplit(text, ',')) {
      ASSIGN_OR_RETURN(uint64_t item_bits, ParseItem(item));
      bits |= item_bits;
    }
    return bits;
  }

 private:
  absl::Status Error(absl::string_view reason) const {
    return absl::InvalidArgumentError(
        absl::StrFormat("field %d (%s): %s", position_, spec_.name, reason));
  }

  absl::Status OutOfRange(absl::string_view value) const {
    return absl::InvalidArgumentError(
        absl::StrFormat("field %d (%s) value %s is out of range %d-%d", position_, spec_.name,
                        value, spec_.min, spec_.max));
  }

  struct Range {
    int lo = 0;
    int hi = 0;  // inclusive
  };

  absl::StatusOr<uint64_t> ParseItem(absl::string_view item) const;
  absl::StatusOr<Range> ParseRange(absl::string_view text, absl::string_view item,
                                   bool has_step) const;
  absl::StatusOr<int> ParseStep(absl::string_view text) const;
  absl::StatusOr<int> ParseValue(absl::string_view text, absl::string_view item) const;
  absl::StatusOr<int> ParseName(absl::string_view text) const;

  int position_;
  const FieldSpec& spec_;
};

// item := range [`/` step]
absl::StatusOr<uint64_t> FieldParser::ParseItem(absl::string_view item) const {
  std::vector<absl::string_view> parts = absl::StrSplit(item, '/');
  if (parts.size() > 2) return Error(absl::StrFormat("invalid step in '%s'", item));
  const bool has_step = parts.size() == 2;
  int step = 1;
  if (has_step) {
    ASSIGN_OR_RETURN(step, ParseStep(parts[1]));
  }
  ASSIGN_OR_RETURN(Range range, ParseRange(parts[0], item, has_step));
  uint64_t bits = 0;
  for (int v = range.lo; v <= range.hi; v += step) bits |= uint64_t{1} << v;
  return bits;
}

// range := `*` | `?` | value [`-` value]
absl::StatusOr<FieldParser::Range> FieldParser::ParseRange(absl::string_view text,
                                                           absl::string_view item,
                                                           bool has_step) const {
  if (text == "?" && !spec_.allows_question) {
    return Error("'?' is only allowed in the day fields");
  }
  if (text == "*" || text == "?") return Range{spec_.min, spec_.star_max};
  std::vector<absl::string_view> ends = absl::StrSplit(text, '-');
  if (ends.size() > 2) return Error(absl::StrFormat("invalid range '%s'", text));
  Range range;
  ASSIGN_OR_RETURN(range.lo, ParseValue(ends[0], item));
  range.hi = range.lo;
  if (ends.size() == 2) {
    ASSIGN_OR_RETURN(range.hi, ParseValue(ends[1], item));
    if (range.lo > range.hi) return Error(absl::StrFormat("range %s is reversed", text));
  } else if (has_step) {
    range.hi = std::max(range.lo, spec_.star_max);  // `N/step` means `N-max/step`
  }
  return range;
}

absl::StatusOr<int> FieldParser::ParseStep(absl::string_view text) const {
  int step = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), step);
  if (text.empty() || end != text.data() + text.size() || !absl::ascii_isdigit(text[0])) {
    return Error(absl::StrFormat("invalid step '%s'", text));
  }
  if (step == 0) return Error("step must be positive");
  // Any step past the range selects just the first value; clamping keeps `v += step` in range.
  if (ec == std::errc::result_out_of_range || step > spec_.max) step = spec_.max + 1;
  return step;
}

absl::StatusOr<int> FieldParser::ParseValue(absl::string_view text, absl::string_view item) const {
  if (text.empty()) return Error(absl::StrFormat("missing value in '%s'", item));
  if (absl::ascii_isalpha(text[0])) return ParseName(text);
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!absl::ascii_isdigit(text[0]) || end != text.data() + text.size()) {
    return Error(absl::StrFormat("invalid value '%s'", text));
  }
  if (ec == std::errc::result_out_of_range || value < spec_.min || value > spec_.max) {
    return OutOfRange(text);
  }
  return value;
}

absl::StatusOr<int> FieldParser::ParseName(absl::string_view text) const {
  if (spec_.names.empty()) return Error(absl::StrFormat("invalid value '%s'", text));
  for (size_t i = 0; i < spec_.names.size(); ++i) {
    if (absl::EqualsIgnoreCase(text, spec_.names[i])) return spec_.min_name + static_cast<int>(i);
  }
  return Error(absl::StrFormat("unknown name '%s'", text));
}

bool IsStar(absl::string_view text) { return text == "*" || text == "?"; }

// Only the day-of-month and month fields together can rule out every date (each month has every
// weekday, and no field is ever empty). 2000-2008 holds every (month, day) pair, Feb 29 included,
// so a spec with no match there has none anywhere.
absl::Status CheckFires(const CronFields& f, absl::string_view days, absl::string_view months) {
  if (FirstMatch(f, absl::CivilSecond(2000, 1, 1), absl::CivilSecond(2009, 1, 1))) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrFormat("never fires: day of month '%s' does not occur in month '%s'", days, months));
}

}  // namespace

absl::StatusOr<CronFields> ParseCronFields(const std::vector<absl::string_view>& fields) {
  if (fields.size() != 5 && fields.size() != 6) {
    return absl::InvalidArgumentError(
        absl::StrFormat("expected 5 or 6 fields, got %d", fields.size()));
  }
  const bool with_seconds = fields.size() == 6;
  const int first = with_seconds ? 1 : 0;  // index of the minute field
  auto parse = [&](int index, const FieldSpec& spec) {
    return FieldParser(index + 1, spec).Parse(fields[index]);
  };
  CronFields f;
  f.seconds = 1;  // 5-field specs fire at second 0
  if (with_seconds) {
    ASSIGN_OR_RETURN(f.seconds, parse(0, kSecond));
  }
  ASSIGN_OR_RETURN(f.minutes, parse(first, kMinute));
  ASSIGN_OR_RETURN(f.hours, parse(first + 1, kHour));
  ASSIGN_OR_RETURN(f.days, parse(first + 2, kDayOfMonth));
  ASSIGN_OR_RETURN(f.months, parse(first + 3, kMonth));
  ASSIGN_OR_RETURN(f.weekdays, parse(first + 4, kDayOfWeek));
  if (f.weekdays & (uint64_t{1} << 7)) f.weekdays = (f.weekdays | 1) & 0x7f;  // 7 is Sunday
  f.days_star = IsStar(fields[first + 2]);
  f.weekdays_star = IsStar(fields[first + 4]);
  const absl::string_view hour = fields[first + 1];
  f.hour_fixed = hour != "*" && !absl::StrContains(hour, '/');
  RETURN_IF_ERROR(CheckFires(f, fields[first + 2], fields[first + 3]));
  return f;
}

}  // namespace asgard::sched::cron_internal
