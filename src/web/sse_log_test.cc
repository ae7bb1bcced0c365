// The framing of live log lines (API.md "live"): raw lines, ids that resume.
#include "web/sse_log.h"

#include "gtest/gtest.h"

namespace asgard::web {
namespace {

v1::LogPosition At(uint64_t inode, int64_t offset) {
  v1::LogPosition p;
  p.set_inode(inode);
  p.set_offset(offset);
  return p;
}

TEST(LogEventTest, TheRawLineWithItsId) {
  v1::LogPosition end = At(1311, 1024);
  EXPECT_EQ(LogEvent("listening on :8080", &end),
            "event: log\nid: 1311:1024\ndata: listening on :8080\n\n");
  // Not JSON: quotes and braces are as the program wrote them, leading spaces kept.
  EXPECT_EQ(LogEvent(R"(  {"level":"info"})", &end),
            "event: log\nid: 1311:1024\ndata:   {\"level\":\"info\"}\n\n");
  EXPECT_EQ(LogEvent("", &end), "event: log\nid: 1311:1024\ndata: \n\n");
}

TEST(LogEventTest, ALineBreakInsideStartsANewEventSoNoFieldCanBeForged) {
  v1::LogPosition end = At(7, 40);
  EXPECT_EQ(LogEvent("a\rid: 9:9\ndata: forged\r\nb", &end),
            "event: log\ndata: a\n\n"
            "event: log\ndata: id: 9:9\n\n"
            "event: log\ndata: data: forged\n\n"
            "event: log\nid: 7:40\ndata: b\n\n");
}

TEST(LogEventTest, NoIdWhenTheAgentDoesNotSayWhereLinesEnd) {
  EXPECT_EQ(LogEvent("x", nullptr), "event: log\ndata: x\n\n");
}

TEST(ErrorEventTest, OneLine) {
  EXPECT_EQ(ErrorEvent("agent gone\r\nretry"), "event: error\ndata: agent gone  retry\n\n");
}

TEST(LogEventIdTest, RoundTrip) {
  auto parsed = ParseLogEventId(LogEventId(At(18446744073709551615u, 123)));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->inode(), 18446744073709551615u);
  EXPECT_EQ(parsed->offset(), 123);
}

TEST(LogEventIdTest, AnythingElseIsA400NamingTheHeader) {
  for (const char* bad : {"", "12", ":5", "5:", "a:1", "1:-2", "-1:2", "1:2:3", " 1:2", "1:2 "}) {
    auto parsed = ParseLogEventId(bad);
    EXPECT_TRUE(absl::IsInvalidArgument(parsed.status())) << bad;
    EXPECT_EQ(parsed.status().message().rfind("Last-Event-ID:", 0), 0u) << bad;
  }
}

}  // namespace
}  // namespace asgard::web
