#include "common/signal.h"

#include <iterator>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace asgard {
namespace {

// Standard Linux signals by number; index 0 unused. Real-time signals have no short name here.
constexpr const char* kNames[] = {
    "",     "HUP",  "INT",  "QUIT", "ILL",    "TRAP",   "ABRT",  "BUS",  "FPE",  "KILL", "USR1",
    "SEGV", "USR2", "PIPE", "ALRM", "TERM",   "STKFLT", "CHLD",  "CONT", "STOP", "TSTP", "TTIN",
    "TTOU", "URG",  "XCPU", "XFSZ", "VTALRM", "PROF",   "WINCH", "IO",   "PWR",  "SYS"};

}  // namespace

absl::StatusOr<Signal> Signal::Parse(absl::string_view text) {
  int number = 0;
  if (absl::SimpleAtoi(text, &number)) {
    if (number >= 1 && number <= kMax) return Signal(number);
  } else {
    std::string name = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(text));
    if (absl::StartsWith(name, "SIG")) name.erase(0, 3);
    for (int i = 1; i < static_cast<int>(std::size(kNames)); ++i) {
      if (name == kNames[i]) return Signal(i);
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "'", text, "' is not a signal (expected a name such as TERM, SIGTERM or INT, or a number 1-64)"));
}

absl::StatusOr<Signal> Signal::FromNumber(int number) {
  if (number >= 1 && number <= kMax) return Signal(number);
  return absl::InvalidArgumentError(absl::StrCat(number, " is not a signal (expected 1-64)"));
}

std::string Signal::Name() const {
  if (number_ < static_cast<int>(std::size(kNames))) return kNames[number_];
  return absl::StrCat(number_);
}

}  // namespace asgard
