#include "rpc/task_enums.h"

#include <array>
#include <iterator>
#include <utility>

#include "runtime/task_state.h"

namespace asgard::rpc {
namespace {

constexpr std::array<std::pair<v1::TaskState, std::string_view>, 15> kStateNames = {{
    {v1::TASK_STATE_STOPPED, "stopped"},     {v1::TASK_STATE_STARTING, "starting"},
    {v1::TASK_STATE_RUNNING, "running"},     {v1::TASK_STATE_BACKOFF, "backoff"},
    {v1::TASK_STATE_STOPPING, "stopping"},   {v1::TASK_STATE_EXITED, "exited"},
    {v1::TASK_STATE_FATAL, "fatal"},         {v1::TASK_STATE_SCHEDULED, "scheduled"},
    {v1::TASK_STATE_DISABLED, "disabled"},   {v1::TASK_STATE_PENDING, "pending"},
    {v1::TASK_STATE_DONE, "done"},           {v1::TASK_STATE_FAILED, "failed"},
    {v1::TASK_STATE_MISSED, "missed"},       {v1::TASK_STATE_PAUSED, "paused"},
    {v1::TASK_STATE_REMOVED, "removed"},
}};

// The wire's names are the runtime's list, in its order (runtime/task_state.h).
constexpr bool SameNamesAsRuntime() {
  if (std::size(runtime::kTaskStateNames) != kStateNames.size()) return false;
  for (size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i].second != runtime::kTaskStateNames[i]) return false;
  }
  return true;
}
static_assert(SameNamesAsRuntime());

}  // namespace

void SetConcurrency(runtime::Concurrency concurrency, v1::TaskDefinition* def) {
  switch (concurrency) {
    case runtime::Concurrency::kForbid:
      def->set_concurrency_mode(v1::CONCURRENCY_FORBID);
      break;
    case runtime::Concurrency::kAllow:
      def->set_concurrency_mode(v1::CONCURRENCY_ALLOW);
      break;
    case runtime::Concurrency::kReplace:
      def->set_concurrency_mode(v1::CONCURRENCY_REPLACE);
      break;
  }
  def->set_concurrency(runtime::ConcurrencyName(concurrency));
}

absl::StatusOr<runtime::Concurrency> ConcurrencyOf(const v1::TaskDefinition& def) {
  switch (def.concurrency_mode()) {
    case v1::CONCURRENCY_FORBID:
      return runtime::Concurrency::kForbid;
    case v1::CONCURRENCY_ALLOW:
      return runtime::Concurrency::kAllow;
    case v1::CONCURRENCY_REPLACE:
      return runtime::Concurrency::kReplace;
    default:
      break;
  }
  return runtime::ParseConcurrency(def.concurrency().empty() ? "forbid" : def.concurrency());
}

v1::TaskState WireState(std::string_view name) {
  for (const auto& [state, text] : kStateNames) {
    if (text == name) return state;
  }
  return v1::TASK_STATE_UNSPECIFIED;
}

void SetState(std::string_view name, v1::TaskObserved* observed) {
  observed->set_task_state(WireState(name));
  observed->set_state(std::string(name));
}

std::string StateOf(const v1::TaskObserved& observed) {
  for (const auto& [state, text] : kStateNames) {
    if (state == observed.task_state()) return std::string(text);
  }
  // An agent of the previous version sends text alone. A word that is no state (a newer or
  // broken agent) is shown as unknown: the store holds only the known words.
  const std::string& text = observed.state();
  if (text == runtime::kStateNeverSeen || runtime::IsTaskStateName(text)) return text;
  return std::string(runtime::kStateUnknown);
}

const char* KindWord(v1::TaskKind kind, const char* unknown) {
  switch (kind) {
    case v1::TASK_KIND_APP:
      return "app";
    case v1::TASK_KIND_JOB:
      return "job";
    case v1::TASK_KIND_TIMING:
      return "timing";
    default:
      return unknown;
  }
}

}  // namespace asgard::rpc
