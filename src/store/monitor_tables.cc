// File: monitor_tables.cc
#include "store/monitor_tables.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"

namespace asgard::store {

namespace {
constexpr char kPrefix[] = "monitors_";
constexpr size_t kPrefixLen = sizeof(kPrefix) - 1;
}  // namespace

absl::CivilMonth UtcMonth(absl::Time t) {
  return absl::CivilMonth(absl::ToCivilSecond(t, absl::UTCTimeZone()));
}

std::string MonitorTableName(absl::CivilMonth month) {
  int64_t year = std::clamp<int64_t>(month.year(), 1970, 9999);
  return absl::StrFormat("%s%04d%02d", kPrefix, year, month.month());
}

std::optional<absl::CivilMonth> ParseMonitorTableName(const std::string& name) {
  if (name.size() != kPrefixLen + 6 || name.compare(0, kPrefixLen, kPrefix) != 0) {
    return std::nullopt;
  }
  std::string digits = name.substr(kPrefixLen);
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int year = 0, month = 0;
  if (!absl::SimpleAtoi(digits.substr(0, 4), &year) ||
      !absl::SimpleAtoi(digits.substr(4), &month) || month < 1 || month > 12) {
    return std::nullopt;
  }
  return absl::CivilMonth(year, month);
}

}  // namespace asgard::store
