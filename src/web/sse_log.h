// File: sse_log.h
// Live log lines as server-sent events (API.md, "live"): one `event: log` per line of output,
// whose `data:` is the raw line, as the original sends it, and whose `id:` is
// `<inode>:<offset>` just past the line in its file. A client sends the last id back as
// Last-Event-ID to resume after it, across rotation (agent/log_follower.h).
//
//   out += LogEvent(line, &end);  // "event: log\nid: 1311:1024\ndata: listening on :8080\n\n"
//   ASSIGN_OR_RETURN(v1::LogPosition after, ParseLogEventId(last_event_id));
//
// A '\r' or '\n' inside a line (agents split lines at both, older ones only at '\n') starts a
// new event, so that output can never end a `data:` field and forge another field or event.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "asgard/v1/agent.pb.h"

namespace asgard::web {

// The events of one line of output; the last carries the id of `end` (none when null: an agent
// that does not say where lines end).
std::string LogEvent(std::string_view line, const v1::LogPosition* end);

// `event: error` whose data is `message` on one line.
std::string ErrorEvent(std::string_view message);

// "<inode>:<offset>", both decimal.
std::string LogEventId(const v1::LogPosition& position);
// The position of an id LogEventId wrote; InvalidArgument naming Last-Event-ID otherwise.
absl::StatusOr<v1::LogPosition> ParseLogEventId(std::string_view id);

}  // namespace asgard::web
