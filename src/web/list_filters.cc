#include "web/list_filters.h"

#include <charconv>

#include "absl/strings/str_cat.h"
#include "common/printable.h"
#include "common/status_macros.h"
#include "web/body_fields.h"
#include "web/field_limits.h"
#include "web/task_json.h"

namespace asgard::web {
namespace {

// A whole decimal integer, sign allowed; nullopt for anything else (spaces, "1.0", "", "0x1").
std::optional<int64_t> Integer(const std::string& text) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

std::string Quoted(const std::string& text) {
  return absl::StrCat("'", Printable(text.substr(0, 40)), "'");
}

// nullopt for "" and 0, else an id; `others` names the other values the field takes.
absl::StatusOr<std::optional<int64_t>> IdOrAny(const std::string& text, const std::string& field,
                                               const char* others) {
  if (text.empty()) return std::nullopt;
  std::optional<int64_t> v = Integer(text);
  if (v && *v == 0) return std::nullopt;
  if (!v || *v < 1 || *v > kMaxId) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", Quoted(text), " is not an id (1..",
                                                   kMaxId, "), 0 (any)", others));
  }
  return v;
}

}  // namespace

absl::StatusOr<std::optional<int>> ParseStatusFilter(const std::string& text, int min, int max) {
  if (text.empty()) return std::nullopt;
  std::optional<int64_t> v = Integer(text);
  if (v && *v == kAnyStatus) return std::nullopt;
  if (!v || *v < min || *v > max) {
    return absl::InvalidArgumentError(absl::StrCat("status: ", Quoted(text), " is not ", min,
                                                   "..", max, " or ", kAnyStatus,
                                                   " (any status)"));
  }
  return static_cast<int>(*v);
}

absl::StatusOr<std::optional<int64_t>> ParseGroupFilter(const std::string& text) {
  // -1: "ungrouped only", for which the original had no filter (its 0 meant any group).
  if (text == "-1") return int64_t{0};
  return IdOrAny(text, "group_id", " or -1 (no group)");
}

absl::StatusOr<std::optional<int64_t>> ParseIdFilter(const std::string& text,
                                                     const std::string& field) {
  return IdOrAny(text, field, "");
}

absl::StatusOr<store::TaskFilter> ParseTaskFilter(const QueryParam& param) {
  store::TaskFilter filter;
  filter.name = param("name");
  RETURN_IF_ERROR(CheckText("name", filter.name, kMaxFilterBytes));
  ASSIGN_OR_RETURN(filter.group_id, ParseGroupFilter(param("group_id")));
  ASSIGN_OR_RETURN(filter.agent_id, ParseIdFilter(param("agent_id"), "agent_id"));
  ASSIGN_OR_RETURN(filter.status, ParseStatusFilter(param("status"), -3, 3));
  return filter;
}

std::string TaskPageKey(store::TaskKind kind, const store::TaskFilter& filter) {
  auto opt = [](const auto& v) { return v ? absl::StrCat(*v) : std::string("-"); };
  return absl::StrCat(KindWord(kind), "|", filter.page, "|", filter.size, "|",
                      opt(filter.group_id), "|", opt(filter.agent_id), "|", opt(filter.status),
                      "|", opt(filter.creator), "|", filter.name);
}

}  // namespace asgard::web
