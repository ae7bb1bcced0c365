// File: list_filters.h
// The query filters of the list routes, in the forms the original's clients send (API.md
// "Lists"): `status=-99` means any status, `agent_id=0` and `group_id=0` mean any agent and any
// group, `group_id=-1` means tasks without a group. Each parser returns nullopt for "no
// filter" and InvalidArgument naming the field for anything else it does not know.
//
//   ASSIGN_OR_RETURN(filter.status, ParseStatusFilter(call.Param("status"), -3, 3));
//   ASSIGN_OR_RETURN(filter.group_id, ParseGroupFilter(call.Param("group_id")));
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "store/records.h"

namespace asgard::web {

// What the original's clients send for "any status".
inline constexpr int kAnyStatus = -99;

// `status`: nullopt when empty or -99; a value in [min, max] as it is.
absl::StatusOr<std::optional<int>> ParseStatusFilter(const std::string& text, int min, int max);

// `group_id` of the task lists: nullopt (any group) when empty or 0; 0 (the group_id of a task
// without a group) for -1; an id otherwise.
absl::StatusOr<std::optional<int64_t>> ParseGroupFilter(const std::string& text);

// `agent_id` (and other ids where 0 means any): nullopt when empty or 0; an id otherwise.
absl::StatusOr<std::optional<int64_t>> ParseIdFilter(const std::string& text,
                                                     const std::string& field);

// The filters of an apps, jobs or timings page from its query (`param(name)`: "" when absent):
// name (within kMaxFilterBytes), group_id, agent_id and status (-3..3), checked in that order;
// paging and who may see what are the caller's (TaskControl::VisibleTo).
using QueryParam = std::function<std::string(const std::string&)>;
absl::StatusOr<store::TaskFilter> ParseTaskFilter(const QueryParam& param);

// What a page of `kind` under `filter` depends on besides the store: its key in the response
// cache (the name, any text, goes last).
std::string TaskPageKey(store::TaskKind kind, const store::TaskFilter& filter);

}  // namespace asgard::web
