// File: concurrency.h
// What a job's fire does while its previous run is still running (`concurrency` in app.yaml).
#pragma once

namespace asgard::sched {

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

}  // namespace asgard::sched
