#include "config/value_parsers.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace asgard::config {
namespace {

using ::testing::HasSubstr;

TEST(ParseBool, AcceptsEveryFormInAnyCase) {
  for (const char* text : {"true", "TRUE", "True", "yes", "Yes", "on", "1"}) {
    absl::StatusOr<bool> value = ParseBool(text);
    ASSERT_TRUE(value.ok()) << text;
    EXPECT_TRUE(*value) << text;
  }
  for (const char* text : {"false", "FALSE", "no", "NO", "off", "0"}) {
    absl::StatusOr<bool> value = ParseBool(text);
    ASSERT_TRUE(value.ok()) << text;
    EXPECT_FALSE(*value) << text;
  }
}

TEST(ParseBool, RejectsOthersNamingTheForms) {
  for (const char* text : {"maybe", "", "2", "y e s"}) {
    absl::StatusOr<bool> value = ParseBool(text);
    ASSERT_FALSE(value.ok()) << text;
    EXPECT_EQ(value.status().message(),
              std::string("'") + text + "' is not a boolean (expected true/false, yes/no or 1/0)");
  }
}

TEST(ParseInteger, ChecksSyntaxAndRange) {
  EXPECT_EQ(*ParseInteger("42", 0, 100), 42);
  EXPECT_EQ(*ParseInteger("-7", -10, 10), -7);
  EXPECT_THAT(ParseInteger("1.5", 0, 100).status().message(),
              HasSubstr("'1.5' is not an integer (expected an integer 0-100)"));
  EXPECT_THAT(ParseInteger("-1", 0, INT32_MAX, "seconds").status().message(),
              HasSubstr("'-1' is out of range (expected an integer number of seconds >= 0)"));
  EXPECT_THAT(ParseInteger("x", INT32_MIN, 10).status().message(),
              HasSubstr("(expected an integer <= 10)"));
}

struct PortCase {
  std::string text;
  bool allow_zero;
  int want;  // -1: error
};

TEST(ParsePort, AcceptsNumbersAndZeroOnlyWhereAllowed) {
  const std::vector<PortCase> cases = {
      {"8080", false, 8080}, {"1", false, 1},     {"65535", false, 65535}, {"0", true, 0},
      {"", true, 0},         {"0", false, -1},    {"65536", true, -1},     {"abc", false, -1},
      {"-1", true, -1},      {"80.5", false, -1}, {"", false, -1},
  };
  for (const PortCase& c : cases) {
    absl::StatusOr<int> port = ParsePort(c.text, c.allow_zero);
    if (c.want < 0) {
      ASSERT_FALSE(port.ok()) << c.text;
      EXPECT_THAT(port.status().message(), HasSubstr("'" + c.text + "' is not a port"));
    } else {
      ASSERT_TRUE(port.ok()) << c.text << ": " << port.status();
      EXPECT_EQ(*port, c.want);
    }
  }
  EXPECT_THAT(ParsePort("abc", false).status().message(),
              HasSubstr("(expected an integer 1-65535)"));
  EXPECT_THAT(ParsePort("abc", true).status().message(),
              HasSubstr("(expected an integer 1-65535, or 0 for any free port)"));
}

struct SizeCase {
  std::string text;
  int64_t want;  // -1: error
};

TEST(ParseByteSize, AcceptsBytesAnd1024BasedUnits) {
  const std::vector<SizeCase> cases = {
      {"0", 0},
      {"512", 512},
      {"10KB", 10 * 1024},
      {"10kb", 10 * 1024},
      {"10K", 10 * 1024},
      {"50MB", 50LL * 1024 * 1024},
      {"50 MB", 50LL * 1024 * 1024},
      {"50MiB", 50LL * 1024 * 1024},
      {"1GB", 1LL << 30},
      {"2g", 2LL << 30},
      {"7B", 7},
      {"50XB", -1},
      {"MB", -1},
      {"-5MB", -1},
      {"1.5MB", -1},
      {"", -1},
      {"99999999999999999999", -1},
      {"9000000000GB", -1},
  };
  for (const SizeCase& c : cases) {
    absl::StatusOr<int64_t> size = ParseByteSize(c.text);
    if (c.want < 0) {
      ASSERT_FALSE(size.ok()) << c.text;
      EXPECT_THAT(size.status().message(), HasSubstr("'" + c.text + "' is ")) << c.text;
    } else {
      ASSERT_TRUE(size.ok()) << c.text << ": " << size.status();
      EXPECT_EQ(*size, c.want) << c.text;
    }
  }
  EXPECT_THAT(ParseByteSize("50XB").status().message(),
              HasSubstr("is not a size (expected a number of bytes or a size like 50MB"));
}

}  // namespace
}  // namespace asgard::config
