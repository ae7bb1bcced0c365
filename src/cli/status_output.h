// File: status_output.h
// What `guard status|show` and `cron status|show` print: the original's first lines
// (`app total: N`, `app info:`, `job info:`) followed by tables and fields with state, pid,
// uptime, restarts, next and last runs; or the same data as JSON (--json).
#pragma once

#include <string>

#include "asgard/v1/local.pb.h"

namespace asgard::cli {

std::string RenderGuardStatus(const asgard::v1::ListResponse& list);
std::string RenderCronStatus(const asgard::v1::ListResponse& list);
std::string RenderShow(const asgard::v1::TaskDetail& detail);

// snake_case JSON of any of the messages above, pretty-printed.
std::string RenderJson(const google::protobuf::Message& message);

// "3d4h", "12m5s", "40s".
std::string FormatDuration(int64_t seconds);
// Local "YYYY-MM-DD HH:MM:SS", or "-" for 0.
std::string FormatLocalTime(int64_t unix_seconds);

}  // namespace asgard::cli
