#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "sched/cron_schedule.h"

namespace asgard::sched {
namespace {

// Go's time.ParseDuration, step for step, so `@every` accepts exactly what the original did.
// Amounts are unsigned nanoseconds that may reach 2^63 (the magnitude of the most negative).
constexpr uint64_t kMaxMagnitude = uint64_t{1} << 63;

struct GoUnit {
  absl::string_view name;
  uint64_t nanos;
};

constexpr std::array<GoUnit, 8> kGoUnits = {{
    {"ns", 1},
    {"us", 1'000},
    {"\u00b5s", 1'000},  // U+00B5 micro sign
    {"\u03bcs", 1'000},  // U+03BC Greek small letter mu
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
}};

absl::Status BadDuration(absl::string_view what, absl::string_view text) {
  return absl::InvalidArgumentError(absl::StrFormat("%s '%s'", what, text));
}

// Leading decimal digits of `s`, consumed; nullopt on overflow.
std::optional<uint64_t> ConsumeInt(absl::string_view& s) {
  uint64_t v = 0;
  while (!s.empty() && absl::ascii_isdigit(s[0])) {
    if (v > kMaxMagnitude / 10) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(s[0] - '0');
    if (v > kMaxMagnitude) return std::nullopt;
    s.remove_prefix(1);
  }
  return v;
}

// Digits after a decimal point as value / scale; digits that would overflow are dropped.
void ConsumeFraction(absl::string_view& s, uint64_t& value, double& scale) {
  bool overflow = false;
  for (; !s.empty() && absl::ascii_isdigit(s[0]); s.remove_prefix(1)) {
    if (overflow || value > (kMaxMagnitude - 1) / 10) {
      overflow = true;
      continue;
    }
    value = value * 10 + static_cast<uint64_t>(s[0] - '0');
    scale *= 10;
  }
}

// The unit after a number: everything up to the next digit or '.'.
absl::StatusOr<uint64_t> ConsumeUnit(absl::string_view& s, absl::string_view text) {
  size_t len = 0;
  while (len < s.size() && s[len] != '.' && !absl::ascii_isdigit(s[len])) ++len;
  if (len == 0) return BadDuration("missing unit in duration", text);
  const absl::string_view name = s.substr(0, len);
  s.remove_prefix(len);
  for (const GoUnit& unit : kGoUnits) {
    if (unit.name == name) return unit.nanos;
  }
  return BadDuration(absl::StrFormat("unknown unit '%s' in duration", name), text);
}

// One `<number>[.<fraction>]<unit>` component, in nanoseconds.
absl::StatusOr<uint64_t> ConsumeComponent(absl::string_view& s, absl::string_view text) {
  if (s[0] != '.' && !absl::ascii_isdigit(s[0])) return BadDuration("invalid duration", text);
  const size_t before_int = s.size();
  std::optional<uint64_t> whole = ConsumeInt(s);
  if (!whole.has_value()) return BadDuration("invalid duration", text);
  bool has_digits = s.size() != before_int;
  uint64_t fraction = 0;
  double scale = 1;
  if (!s.empty() && s[0] == '.') {
    s.remove_prefix(1);
    const size_t before_fraction = s.size();
    ConsumeFraction(s, fraction, scale);
    has_digits = has_digits || s.size() != before_fraction;
  }
  if (!has_digits) return BadDuration("invalid duration", text);
  ASSIGN_OR_RETURN(const uint64_t unit, ConsumeUnit(s, text));
  if (*whole > kMaxMagnitude / unit) return BadDuration("invalid duration", text);
  // Go scales the fraction in floating point; doing the same keeps results bit-identical.
  const uint64_t nanos = *whole * unit + static_cast<uint64_t>(static_cast<double>(fraction) *
                                                               (static_cast<double>(unit) / scale));
  if (nanos > kMaxMagnitude) return BadDuration("invalid duration", text);
  return nanos;
}

}  // namespace

absl::StatusOr<absl::Duration> ParseGoDuration(std::string_view std_text) {
  const absl::string_view text(std_text.data(), std_text.size());
  absl::string_view s = text;
  const bool negative = !s.empty() && s[0] == '-';
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s == "0") return absl::ZeroDuration();
  if (s.empty()) return BadDuration("invalid duration", text);
  uint64_t total = 0;
  while (!s.empty()) {
    ASSIGN_OR_RETURN(const uint64_t nanos, ConsumeComponent(s, text));
    if (nanos > kMaxMagnitude - total) return BadDuration("invalid duration", text);
    total += nanos;
  }
  if (!negative && total == kMaxMagnitude) return BadDuration("invalid duration", text);
  // Two's complement (well defined in C++20) so that exactly 2^63 becomes the int64 minimum.
  return absl::Nanoseconds(static_cast<int64_t>(negative ? 0 - total : total));
}

}  // namespace asgard::sched
