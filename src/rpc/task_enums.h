// File: task_enums.h
// The enums of the wire's tasks (asgard.v1.Concurrency, TaskState) and their text, which the
// previous version sent alone: writers fill both, readers take the enum and fall back to the
// text when a sender of the previous version left it UNSPECIFIED. Fleets are upgraded one host
// at a time, so web and master of version N meet agents of version N-1 and the reverse.
//
//   SetConcurrency(runtime::Concurrency::kAllow, &definition);
//   ASSIGN_OR_RETURN(runtime::Concurrency c, ConcurrencyOf(definition));
//   SetState("running", &observed);
//   std::string state = StateOf(observed);
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "asgard/v1/task.pb.h"
#include "runtime/concurrency.h"

namespace asgard::rpc {

void SetConcurrency(runtime::Concurrency concurrency, v1::TaskDefinition* def);
// The enum, else the text ("" = forbid); InvalidArgument for a text that is no policy.
absl::StatusOr<runtime::Concurrency> ConcurrencyOf(const v1::TaskDefinition& def);

// The state's enum for a name of the API ("running"); UNSPECIFIED for any other text.
v1::TaskState WireState(std::string_view name);
// Both fields; a name without an enum value travels as text alone.
void SetState(std::string_view name, v1::TaskObserved* observed);
// The name of the state: the enum's, else the text when it names a state
// (runtime/task_state.h), else "unknown".
std::string StateOf(const v1::TaskObserved& observed);
// "app", "job" or "timing"; `unknown` for any other value.
const char* KindWord(v1::TaskKind kind, const char* unknown);

}  // namespace asgard::rpc
