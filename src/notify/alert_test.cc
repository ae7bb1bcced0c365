#include "notify/alert.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace asgard::notify {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ArchiveFailure, ExitCodesSignalsAndUnknownAreFailures) {
  EXPECT_EQ(ArchiveFailure(1, ""), "exited with status 1");
  EXPECT_EQ(ArchiveFailure(137, ""), "exited with status 137");
  EXPECT_EQ(ArchiveFailure(-1, "killed"), "killed by signal: killed");
  EXPECT_THAT(*ArchiveFailure(-3, "unknow"), HasSubstr("unknown"));
}

TEST(ArchiveFailure, SuccessAndUserStopsAreNot) {
  EXPECT_EQ(ArchiveFailure(0, ""), std::nullopt);
  EXPECT_EQ(ArchiveFailure(-2, "kill"), std::nullopt);  // pause, restart, delete
}

TEST(ExceptionFailure, StartFailuresLimitsTimeoutsAndMissedTimingsAlert) {
  for (const char* desc : {"start fail: program not found", "restart reach max limited",
                           "timeout: still running after 5s; stopped",
                           "missed: its time passed 90s ago, beyond grace of 60s; not run"}) {
    EXPECT_EQ(ExceptionFailure(desc), desc);
  }
}

TEST(ExceptionFailure, WhatTheArchiveTellsOrSkippedFiresDoNot) {
  EXPECT_EQ(ExceptionFailure("finished unseccessed with status: 1"), std::nullopt);
  EXPECT_EQ(ExceptionFailure("skipped: the previous run is still running (concurrency: forbid)"),
            std::nullopt);
}

Alert Sample() {
  Alert a;
  a.kind = "app";
  a.id = 12;
  a.run_uuid = "r-1";
  a.reason = "exited with status 3";
  a.time = absl::FromUnixSeconds(1764064800);  // 2025-11-25 10:00:00 UTC
  a.name = "web";
  a.agent = "db1 (10.0.0.7:27149)";
  a.command = "/srv/web --port 80";
  a.dir = "/srv";
  return a;
}

TEST(AlertText, NamesTaskAgentCommandRunAndTime) {
  std::string text = Text({Sample(), 0, {}}, absl::UTCTimeZone());
  EXPECT_THAT(text, HasSubstr("[Asgard] app web failed: exited with status 3\n"));
  EXPECT_THAT(text, HasSubstr("agent: db1 (10.0.0.7:27149)"));
  EXPECT_THAT(text, HasSubstr("command: /srv/web --port 80"));
  EXPECT_THAT(text, HasSubstr("dir: /srv"));
  EXPECT_THAT(text, HasSubstr("run: r-1"));
  EXPECT_THAT(text, HasSubstr("time: 2025-11-25 10:00:00 +0000"));
  EXPECT_THAT(text, Not(HasSubstr("held back")));
}

TEST(AlertText, SummarySaysHowManySince) {
  Outgoing summary{Sample(), 4, absl::FromUnixSeconds(1764064500)};
  EXPECT_EQ(Title(summary), "[Asgard] app web: 4 more failures, last: exited with status 3");
  EXPECT_THAT(Text(summary, absl::UTCTimeZone()),
              HasSubstr("held back: 4 since 2025-11-25 09:55:00 +0000"));
}

TEST(AlertText, TaskWithoutNameUsesItsId) {
  Alert a = Sample();
  a.name.clear();
  EXPECT_EQ(Title({a, 0, {}}), "[Asgard] app #12 failed: exited with status 3");
}

TEST(AlertText, AgentOffline) {
  Alert a;
  a.kind = "agent";
  a.id = 3;
  a.name = "db1";
  a.reason = "offline: no heartbeat for 7s";
  EXPECT_EQ(Title({a, 0, {}}), "[Asgard] agent db1: offline: no heartbeat for 7s");
}

TEST(AlertHtml, EscapesWhatUsersTyped) {
  Alert a = Sample();
  a.command = "sh -c 'a < b && c > d'";
  std::string html = Html({a, 0, {}}, absl::UTCTimeZone());
  EXPECT_THAT(html, HasSubstr("<p>command: sh -c 'a &lt; b &amp;&amp; c &gt; d'</p>"));
  EXPECT_THAT(html, Not(HasSubstr("a < b")));
}

}  // namespace
}  // namespace asgard::notify
