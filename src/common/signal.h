// File: signal.h
// A signal Asgard sends to a task (its stop signal): a number 1-64, made only by parsing its
// text or checking a number, so that every value of this type is one kill(2) accepts and no
// layer guesses a default for a bad one. Parsed once where it enters (app.yaml, the API, a
// store row, the wire); Name() is the text the store and the API write.
//
//   ASSIGN_OR_RETURN(Signal sig, Signal::Parse("SIGUSR1"));  // also "usr1", "USR1", "10"
//   kill(pid, sig.number());
//   sig.Name();                                               // "USR1"
#pragma once

#include <csignal>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace asgard {

class Signal {
 public:
  static constexpr int kMax = 64;  // SIGRTMAX on Linux

  static constexpr Signal Term() { return Signal(SIGTERM); }
  // A name with or without "SIG" (any case: TERM, SIGTERM, term) or a number 1-64; otherwise
  // InvalidArgument "'<text>' is not a signal (expected a name such as TERM, ...)".
  static absl::StatusOr<Signal> Parse(absl::string_view text);
  // InvalidArgument "<n> is not a signal (expected 1-64)" outside 1-64.
  static absl::StatusOr<Signal> FromNumber(int number);

  constexpr int number() const { return number_; }
  // The short name Parse accepts ("TERM"), or the number as text for a signal without one
  // (the real-time signals, "40"). Every Signal has exactly one.
  std::string Name() const;

  friend constexpr bool operator==(Signal, Signal) = default;

 private:
  explicit constexpr Signal(int number) : number_(number) {}
  int number_;
};

}  // namespace asgard
