// File: sql_test.cc
// Time text of the store: the hand-read "YYYY-MM-DD HH:MM:SS" agrees with absl::ParseTime, and
// what is not in that exact form still goes through absl (and fails as it did).
#include "store/sql.h"

#include "gtest/gtest.h"

namespace asgard::store {
namespace {

std::optional<absl::Time> AbslParse(absl::string_view text) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime("%Y-%m-%d %H:%M:%S", text, absl::UTCTimeZone(), &t, &err)) {
    return std::nullopt;
  }
  return t;
}

TEST(ParseSqlTime, AgreesWithAbslParseTime) {
  const char* cases[] = {
      "2024-05-10 12:00:00", "1970-01-01 00:00:00", "2024-02-29 23:59:59", "0001-01-01 00:00:00",
      "9999-12-31 23:59:59", "2023-02-29 00:00:00", "2024-13-01 00:00:00", "2024-04-31 10:00:00",
      "2024-05-10 24:00:00", "2024-05-10 12:60:00", "2024-05-10 12:00:60", "2024-05-10T12:00:00",
      "2024-5-10 12:00:00",  "2024-05-10 12:00",    "",                    "garbage-text-here!!",
      "2024-05-10 1a:00:00", " 2024-05-10 12:00:0",
  };
  for (const char* text : cases) {
    EXPECT_EQ(ParseSqlTime(text), AbslParse(text)) << text;
  }
}

TEST(ParseSqlTime, DropsFractionsAndReadsWhatFormatSqlTimeWrites) {
  const absl::Time t = absl::FromUnixSeconds(1715342400);  // 2024-05-10 12:00:00 UTC
  EXPECT_EQ(FormatSqlTime(t), "2024-05-10 12:00:00");
  EXPECT_EQ(ParseSqlTime(FormatSqlTime(t)), t);
  EXPECT_EQ(ParseSqlTime("2024-05-10 12:00:00.123456"), t);
}

}  // namespace
}  // namespace asgard::store
