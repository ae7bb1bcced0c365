#include "common/signal.h"

#include <csignal>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace asgard {
namespace {

using ::testing::HasSubstr;

TEST(SignalParse, AcceptsNamesWithOrWithoutSigAndNumbers) {
  const std::vector<std::pair<std::string, int>> cases = {
      {"TERM", SIGTERM},   {"SIGTERM", SIGTERM},
      {"term", SIGTERM},   {"sigterm", SIGTERM},
      {"INT", SIGINT},     {"HUP", SIGHUP},
      {"KILL", SIGKILL},   {"QUIT", SIGQUIT},
      {"USR1", SIGUSR1},   {"USR2", SIGUSR2},
      {"WINCH", SIGWINCH}, {"SYS", SIGSYS},
      {"15", 15},          {"1", 1},
      {"64", 64},
  };
  for (const auto& [text, want] : cases) {
    absl::StatusOr<Signal> signal = Signal::Parse(text);
    ASSERT_TRUE(signal.ok()) << text << ": " << signal.status();
    EXPECT_EQ(signal->number(), want) << text;
  }
}

TEST(SignalParse, RejectsUnknownNamesAndNumbersOutOfRange) {
  for (const char* text : {"0", "65", "-15", "TERMINATE", "SIG", "", "RTMIN"}) {
    absl::StatusOr<Signal> signal = Signal::Parse(text);
    ASSERT_FALSE(signal.ok()) << text;
    EXPECT_THAT(signal.status().message(),
                HasSubstr(std::string("'") + text +
                          "' is not a signal (expected a name such as TERM, SIGTERM or INT, or a "
                          "number 1-64)"));
  }
}

TEST(SignalFromNumber, AcceptsOneToSixtyFourOnly) {
  EXPECT_EQ(Signal::FromNumber(SIGUSR1)->number(), SIGUSR1);
  EXPECT_EQ(Signal::FromNumber(64)->number(), 64);
  for (int bad : {0, -1, 65, -15}) {
    absl::StatusOr<Signal> signal = Signal::FromNumber(bad);
    ASSERT_FALSE(signal.ok()) << bad;
    EXPECT_THAT(signal.status().message(), HasSubstr("is not a signal (expected 1-64)"));
  }
}

TEST(SignalName, NamesStandardSignalsAndPrintsOthersAsNumbersThatParseBack) {
  EXPECT_EQ(Signal::Term().Name(), "TERM");
  EXPECT_EQ(Signal::Parse("kill")->Name(), "KILL");
  EXPECT_EQ(Signal::Parse("40")->Name(), "40");
  for (int number = 1; number <= Signal::kMax; ++number) {
    Signal signal = *Signal::FromNumber(number);
    EXPECT_EQ(*Signal::Parse(signal.Name()), signal) << number;
  }
}

}  // namespace
}  // namespace asgard
