// File: concurrency.h
// What a job's fire does while its previous run is still running (`concurrency` in app.yaml).
#pragma once

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace asgard::runtime {

// Runs of one job alive at once (`max_concurrent`): a fire that would start one more is skipped
// and recorded, as forbid does. It matters under `allow` (and `replace`, while the runs it
// stopped are still stopping): without it a long run fired every second grows without end.
inline constexpr int kDefaultMaxConcurrent = 10;
inline constexpr int kMaxConcurrentLimit = 1000;  // the largest max_concurrent accepted

enum class Concurrency {
  kForbid,   // skip the fire and record the skip (default)
  kAllow,    // start another run beside it
  kReplace,  // stop the running one, start a new one
};

inline const char* ConcurrencyName(Concurrency c) {
  switch (c) {
    case Concurrency::kAllow:
      return "allow";
    case Concurrency::kReplace:
      return "replace";
    case Concurrency::kForbid:
      break;
  }
  return "forbid";
}

// The one parse of the text form ("forbid", "allow", "replace"), wherever it comes from.
inline absl::StatusOr<Concurrency> ParseConcurrency(absl::string_view text) {
  if (text == "forbid") return Concurrency::kForbid;
  if (text == "allow") return Concurrency::kAllow;
  if (text == "replace") return Concurrency::kReplace;
  return absl::InvalidArgumentError(
      absl::StrCat("'", text, "' is not forbid, allow or replace"));
}

}  // namespace asgard::runtime
