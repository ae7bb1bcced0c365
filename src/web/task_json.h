// File: task_json.h
// Apps, jobs and timings as the API shows and takes them (API.md: snake_case keys, 0/1 for the
// original's boolean integers, RFC 3339 times), and the validation of a create or update body:
// every field is checked as the agent and app.yaml would check it, and a bad one is an
// InvalidArgument that names the field and says why ("spec: ..."), before anything is stored.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "runtime/concurrency.h"
#include "store/records.h"
#include "store/run_as.h"
#include "web/json_writer.h"

namespace asgard::web {

using Json = nlohmann::json;

struct TaskNames {
  std::string agent_name;  // "alias (ip:port)" or "ip:port"
  std::string group_name;
};

// The task's JSON object, written straight into `w` (a page of tasks: no JSON tree per task),
// or parsed back into a tree (one task); both carry the same members. `next_run` is a job's
// `next_run_at` (null when none), computed by the caller where the API shows one
// (next_runs.h): the spec is not parsed again here.
void WriteTaskJson(JsonWriter& w, const store::Task& task, const TaskNames& names,
                   absl::TimeZone zone, std::optional<absl::Time> next_run = std::nullopt);
Json TaskToJson(const store::Task& task, const TaskNames& names, absl::TimeZone zone,
                std::optional<absl::Time> next_run = std::nullopt);

// A job's `concurrency` as a body gives it: forbid, allow or replace (the words of
// runtime::ConcurrencyName); InvalidArgument naming the field otherwise.
absl::StatusOr<runtime::Concurrency> ParseConcurrency(const std::string& text);

// A body applied over `base` (the stored task for an update, defaults for a create). Only the
// fields present change. `user` follows the writer's `rights` (store/run_as.h): naming an
// account they may not choose is PermissionDenied; a stored one they may not keep (an
// administrator set it) becomes "" (their own identity), which RunAsNote() then explains.
absl::StatusOr<store::TaskInput> ParseTaskInput(store::TaskKind kind, const Json& body,
                                                store::TaskInput base,
                                                const store::RunAsRights& rights);

// The sentence that tells a writer their task no longer runs as `before` (reset by the run-as
// rule), or "" when the account did not change that way.
std::string RunAsNote(const std::string& before, const std::string& after);

// The group_id to store for a body naming `requested`, looked up as `group`, on a task now in
// group `current` (0 for a new task). A live group (in use or not) is kept; the task's own
// group, deleted since, becomes 0 (no group), and `note` says so; any other unknown or deleted
// group is an InvalidArgument naming group_id.
struct GroupChoice {
  int64_t group_id = 0;
  std::string note;  // "" unless the task leaves its deleted group
};
absl::StatusOr<GroupChoice> ChooseGroup(int64_t requested, int64_t current,
                                        const absl::StatusOr<store::Group>& group);

// "/api/v1/apps" -> kApp, by the route's word ("apps", "jobs", "timings" or "app", ...).
std::optional<store::TaskKind> KindFromWord(const std::string& word);
const char* KindWord(store::TaskKind kind);  // "app", "job", "timing"
// The `type` of exceptions and operations (1..6) as the original's identifiers name it
// (TYPE_AGENT ... TYPE_USER): "agent", "app", "job", "timing", "group", "user"; "?" otherwise.
const char* TypeWord(int type);

std::string TimeText(absl::Time t, absl::TimeZone zone);

}  // namespace asgard::web
