#include "config/value_parsers.h"

#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace asgard::config {
namespace {

absl::Status Invalid(absl::string_view text, absl::string_view kind, absl::string_view expected) {
  return absl::InvalidArgumentError(
      absl::StrCat("'", text, "' is not ", kind, " (expected ", expected, ")"));
}

std::string IntegerForm(int64_t min, int64_t max, absl::string_view unit) {
  std::string form = unit.empty() ? "an integer" : absl::StrCat("an integer number of ", unit);
  // The limits of int are "no limit" to a reader; printing 2147483647 would only confuse.
  const bool has_min = min > std::numeric_limits<int32_t>::min();
  const bool has_max = max < std::numeric_limits<int32_t>::max();
  if (has_min && has_max) return absl::StrCat(form, " ", min, "-", max);
  if (has_min) return absl::StrCat(form, " >= ", min);
  if (has_max) return absl::StrCat(form, " <= ", max);
  return form;
}

// Multiplier of a size unit, or 0 when the unit is unknown. 1024-based, as the examples show.
int64_t UnitMultiplier(absl::string_view unit) {
  const std::string u = absl::AsciiStrToUpper(unit);
  if (u.empty() || u == "B") return 1;
  if (u == "K" || u == "KB" || u == "KIB") return int64_t{1} << 10;
  if (u == "M" || u == "MB" || u == "MIB") return int64_t{1} << 20;
  if (u == "G" || u == "GB" || u == "GIB") return int64_t{1} << 30;
  if (u == "T" || u == "TB" || u == "TIB") return int64_t{1} << 40;
  return 0;
}

}  // namespace

absl::StatusOr<bool> ParseBool(absl::string_view text) {
  const std::string t = absl::AsciiStrToLower(text);
  if (t == "true" || t == "yes" || t == "on" || t == "1") return true;
  if (t == "false" || t == "no" || t == "off" || t == "0") return false;
  return Invalid(text, "a boolean", "true/false, yes/no or 1/0");
}

absl::StatusOr<int64_t> ParseInteger(absl::string_view text, int64_t min, int64_t max,
                                     absl::string_view unit) {
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value)) {
    return Invalid(text, "an integer", IntegerForm(min, max, unit));
  }
  if (value < min || value > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is out of range (expected ", IntegerForm(min, max, unit), ")"));
  }
  return value;
}

absl::StatusOr<int> ParsePort(absl::string_view text, bool allow_zero) {
  if (allow_zero && absl::StripAsciiWhitespace(text).empty()) return 0;
  int64_t value = 0;
  if (!absl::SimpleAtoi(text, &value) || value < (allow_zero ? 0 : 1) || value > 65535) {
    return Invalid(
        text, "a port",
        allow_zero ? "an integer 1-65535, or 0 for any free port" : "an integer 1-65535");
  }
  return static_cast<int>(value);
}

absl::StatusOr<int64_t> ParseByteSize(absl::string_view text) {
  const absl::string_view t = absl::StripAsciiWhitespace(text);
  size_t digits = 0;
  while (digits < t.size() && absl::ascii_isdigit(static_cast<unsigned char>(t[digits]))) {
    ++digits;
  }
  int64_t number = 0;
  const int64_t multiplier = UnitMultiplier(absl::StripAsciiWhitespace(t.substr(digits)));
  if (digits == 0 || multiplier == 0 || !absl::SimpleAtoi(t.substr(0, digits), &number)) {
    return Invalid(text, "a size", "a number of bytes or a size like 50MB, 10KB or 1GB");
  }
  if (number > std::numeric_limits<int64_t>::max() / multiplier) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is too large a size"));
  }
  return number * multiplier;
}

absl::StatusOr<int64_t> ParseByteSizeOrZero(absl::string_view text, int64_t min_nonzero) {
  absl::StatusOr<int64_t> size = ParseByteSize(text);
  if (!size.ok() || *size == 0 || *size >= min_nonzero) return size;
  return absl::InvalidArgumentError(
      absl::StrCat("'", text, "' is out of range (expected 0, or a size of at least ",
                   FormatByteSize(min_nonzero), ")"));
}

std::string FormatByteSize(int64_t bytes) {
  for (const auto& [unit, multiplier] :
       {std::pair{"GB", int64_t{1} << 30}, std::pair{"MB", int64_t{1} << 20},
        std::pair{"KB", int64_t{1} << 10}}) {
    if (bytes != 0 && bytes % multiplier == 0) return absl::StrCat(bytes / multiplier, unit);
  }
  return absl::StrCat(bytes);
}

}  // namespace asgard::config
