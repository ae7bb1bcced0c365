// File: monitor_tables.h
// Names of the monthly monitor tables, built from validated integers only: monitors_YYYYMM of
// the UTC month of a sample.
//
//   MonitorTableName(absl::FromUnixSeconds(1590969600))  // "monitors_202006"
#pragma once

#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace asgard::store {

// The UTC month of `t`.
absl::CivilMonth UtcMonth(absl::Time t);
// "monitors_YYYYMM"; the year is clamped to 1970..9999.
std::string MonitorTableName(absl::CivilMonth month);
inline std::string MonitorTableName(absl::Time t) { return MonitorTableName(UtcMonth(t)); }
// The month of a name that is exactly "monitors_" and six digits with a month 01..12.
std::optional<absl::CivilMonth> ParseMonitorTableName(const std::string& name);

}  // namespace asgard::store
