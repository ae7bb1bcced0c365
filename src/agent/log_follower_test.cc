#include "agent/log_follower.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "agent/log_tail.h"
#include "agent/log_file_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace asgard::agent {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class LogFollowerTest : public LogFileTest {
 protected:
  uint64_t InodeOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
    return st.st_ino;
  }
  // Rotates as log_sink.h does: path.1 -> path.2, path -> path.1.
  void Rotate() {
    if (fs::exists(path_ + ".1")) fs::rename(path_ + ".1", path_ + ".2");
    fs::rename(path_, path_ + ".1");
  }

  static std::vector<FollowedLine> PollLines(LogFollower& follower) {
    absl::StatusOr<std::vector<FollowedLine>> got = follower.Poll();
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() ? *got : std::vector<FollowedLine>{};
  }
  static std::vector<std::string> Poll(LogFollower& follower) {
    std::vector<std::string> texts;
    for (FollowedLine& line : PollLines(follower)) texts.push_back(std::move(line.text));
    return texts;
  }

};

TEST_F(LogFollowerTest, FollowerStartsAtEndAndReturnsAppendedLines) {
  Write("old\n");
  LogFollower follower(path_);
  EXPECT_THAT(Poll(follower), IsEmpty());
  AppendText("a\nb\n");
  EXPECT_THAT(Poll(follower), ElementsAre("a", "b"));
  EXPECT_THAT(Poll(follower), IsEmpty());
  AppendText("c\n");
  EXPECT_THAT(Poll(follower), ElementsAre("c"));
}

TEST_F(LogFollowerTest, FollowerPositionIsJustPastTheLastCompleteLine) {
  Write("old\n");
  LogFollower follower(path_);
  EXPECT_EQ(follower.position(), 4);
  AppendText("a\nbc\npart");
  EXPECT_THAT(Poll(follower), ElementsAre("a", "bc"));
  EXPECT_EQ(follower.position(), 9);  // "old\na\nbc\n"; "part" is not a line yet
  AppendText("ial\n");
  EXPECT_THAT(Poll(follower), ElementsAre("partial"));
  EXPECT_EQ(follower.position(), 17);
}

TEST_F(LogFollowerTest, FollowerHoldsPartialLineUntilItsNewline) {
  Write("");
  LogFollower follower(path_);
  AppendText("par");
  EXPECT_THAT(Poll(follower), IsEmpty());
  AppendText("tial\nnext");
  EXPECT_THAT(Poll(follower), ElementsAre("partial"));
  AppendText("\n");
  EXPECT_THAT(Poll(follower), ElementsAre("next"));
}

TEST_F(LogFollowerTest, FollowerCutsLongLines) {
  Write("");
  LogFollower follower(path_);
  std::string huge = "start" + std::string(3 * kMaxLineBytes, 'z');
  AppendText(huge.substr(0, 100 * 1024));
  EXPECT_THAT(Poll(follower), IsEmpty());
  AppendText(huge.substr(100 * 1024) + "\nshort\n");
  EXPECT_THAT(Poll(follower), ElementsAre(huge.substr(0, kMaxLineBytes), "short"));
}

TEST_F(LogFollowerTest, FollowerSurvivesRotation) {
  Write("");
  // The writer keeps its descriptor across the rename, as a task's stdout does.
  int writer = open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  ASSERT_GE(writer, 0);
  LogFollower follower(path_);
  ASSERT_EQ(write(writer, "1\n", 2), 2);
  EXPECT_THAT(Poll(follower), ElementsAre("1"));

  ASSERT_EQ(std::rename(path_.c_str(), (path_ + ".1").c_str()), 0);
  ASSERT_EQ(write(writer, "2\nspl", 5), 5);
  EXPECT_THAT(Poll(follower), ElementsAre("2"));  // not replaced yet: still the old file
  ASSERT_EQ(write(writer, "it-", 3), 3);
  close(writer);
  Write("line\n3\n");  // the new file
  EXPECT_THAT(Poll(follower), ElementsAre("split-line", "3"));
  AppendText("4\n");
  EXPECT_THAT(Poll(follower), ElementsAre("4"));
}

TEST_F(LogFollowerTest, FollowerSurvivesTruncation) {
  Write("aaaa\nbbbb\n");
  LogFollower follower(path_);
  AppendText("c\n");
  EXPECT_THAT(Poll(follower), ElementsAre("c"));
  Write("d\n");  // truncates: shorter than what was read
  EXPECT_THAT(Poll(follower), ElementsAre("d"));
  AppendText("e\n");
  EXPECT_THAT(Poll(follower), ElementsAre("e"));
}

TEST_F(LogFollowerTest, FollowerWaitsForMissingFile) {
  LogFollower follower(path_);
  EXPECT_THAT(Poll(follower), IsEmpty());
  EXPECT_THAT(Poll(follower), IsEmpty());
  Write("x\ny\n");  // created after the follower: all of it is new
  EXPECT_THAT(Poll(follower), ElementsAre("x", "y"));
  AppendText("z\n");
  EXPECT_THAT(Poll(follower), ElementsAre("z"));
}

TEST_F(LogFollowerTest, FollowerOfAFifoFailsAtOnce) {
  ASSERT_EQ(mkfifo(path_.c_str(), 0666), 0);
  LogFollower follower(path_);
  absl::StatusOr<std::vector<FollowedLine>> got = follower.Poll();
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(got.status())) << got.status();
}

// The file swapped for a FIFO while followed (as a rotation would replace it): the next look
// reports it instead of waiting for a writer on the FIFO.
TEST_F(LogFollowerTest, FollowerOfAFileSwappedForAFifoFailsAtOnce) {
  Write("a\n");
  LogFollower follower(path_);
  AppendText("b\n");
  EXPECT_THAT(Poll(follower), ElementsAre("b"));
  ASSERT_EQ(std::rename(path_.c_str(), (path_ + ".1").c_str()), 0);
  ASSERT_EQ(mkfifo(path_.c_str(), 0666), 0);
  absl::StatusOr<std::vector<FollowedLine>> got = follower.Poll();
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(got.status())) << got.status();
}

TEST_F(LogFollowerTest, FollowerReadsABurstOverSeveralPolls) {
  Write("");
  LogFollower follower(path_);
  std::string text;
  int count = 0;
  while (text.size() < kMaxPollBytes * 2 + 100) {
    text += "burst line " + std::to_string(++count) + "\n";
  }
  AppendText(text);
  std::vector<std::string> first = Poll(follower);
  EXPECT_GT(first.size(), 0u);
  EXPECT_LT(first.size(), static_cast<size_t>(count));
  std::vector<std::string> all = first;
  for (int i = 0; i < 3; ++i) {
    std::vector<std::string> more = Poll(follower);
    all.insert(all.end(), more.begin(), more.end());
  }
  ASSERT_EQ(all.size(), static_cast<size_t>(count));
  EXPECT_EQ(all.front(), "burst line 1");
  EXPECT_EQ(all.back(), "burst line " + std::to_string(count));
}

TEST_F(LogFollowerTest, CarriageReturnsEndLinesAndCrLfIsOneEnd) {
  Write("");
  LogFollower follower(path_);
  // A progress bar, a forged SSE field after a '\r', a Windows line.
  AppendText("10%\r20%\rdone\nevent: x\r\ndata: y\r\n\r\n");
  EXPECT_THAT(Poll(follower), ElementsAre("10%", "20%", "done", "event: x", "data: y", ""));
}

TEST_F(LogFollowerTest, CrLfSplitAcrossPollsIsStillOneEnd) {
  Write("");
  LogFollower follower(path_);
  AppendText("a\r");
  EXPECT_THAT(Poll(follower), ElementsAre("a"));  // shown at once, not at the '\n'
  AppendText("\nb\n");
  EXPECT_THAT(Poll(follower), ElementsAre("b"));
}

TEST_F(LogFollowerTest, EachLineCarriesWhereItEnds) {
  Write("old\n");
  const uint64_t inode = InodeOf(path_);
  LogFollower follower(path_);
  AppendText("ab\ncd\r\nef\r");
  std::vector<FollowedLine> lines = PollLines(follower);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].end, (LogPosition{inode, 7}));   // "old\nab\n"
  EXPECT_EQ(lines[1].end, (LogPosition{inode, 10}));  // "...cd\r" (its '\n' ends nothing)
  EXPECT_EQ(lines[2].end, (LogPosition{inode, 14}));  // "...\nef\r"
}

TEST_F(LogFollowerTest, AtTailStartsWithTheLastLines) {
  Write("1\n2\r\n3\r4\n5");
  absl::StatusOr<LogFollower> follower = LogFollower::AtTail(path_, 3);
  ASSERT_TRUE(follower.ok()) << follower.status();
  EXPECT_THAT(Poll(*follower), ElementsAre("3", "4"));  // "5" is not a complete line yet
  AppendText("\n6\n");
  EXPECT_THAT(Poll(*follower), ElementsAre("5", "6"));
  absl::StatusOr<LogFollower> all = LogFollower::AtTail(path_, 100);
  ASSERT_TRUE(all.ok());
  EXPECT_THAT(Poll(*all), ElementsAre("1", "2", "3", "4", "5", "6"));
}

TEST_F(LogFollowerTest, AtTailOfAMissingFileWaitsForIt) {
  absl::StatusOr<LogFollower> follower = LogFollower::AtTail(path_, 10);
  ASSERT_TRUE(follower.ok()) << follower.status();
  EXPECT_THAT(Poll(*follower), IsEmpty());
  Write("x\n");
  EXPECT_THAT(Poll(*follower), ElementsAre("x"));
}

TEST_F(LogFollowerTest, AtTailOfAFifoFailsAtOnce) {
  ASSERT_EQ(mkfifo(path_.c_str(), 0666), 0);
  absl::StatusOr<LogFollower> follower = LogFollower::AtTail(path_, 10);
  EXPECT_TRUE(absl::IsFailedPrecondition(follower.status())) << follower.status();
}

TEST_F(LogFollowerTest, ResumeAfterALineOfTheCurrentFile) {
  Write("a\nb\nc\n");
  absl::StatusOr<LogFollower> first = LogFollower::AtTail(path_, 10);
  ASSERT_TRUE(first.ok());
  std::vector<FollowedLine> seen = PollLines(*first);
  ASSERT_EQ(seen.size(), 3u);
  AppendText("d\n");
  absl::StatusOr<LogFollower> again = LogFollower::ResumeAfter(path_, seen[1].end);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(Poll(*again), ElementsAre("c", "d"));
}

TEST_F(LogFollowerTest, ResumeAfterTheCarriageReturnOfACrLf) {
  Write("a\r\nb\r\n");
  absl::StatusOr<LogFollower> first = LogFollower::AtTail(path_, 10);
  ASSERT_TRUE(first.ok());
  std::vector<FollowedLine> seen = PollLines(*first);
  ASSERT_EQ(seen.size(), 2u);
  absl::StatusOr<LogFollower> again = LogFollower::ResumeAfter(path_, seen[0].end);
  ASSERT_TRUE(again.ok());
  EXPECT_THAT(Poll(*again), ElementsAre("b"));  // not an empty line for the '\n'
}

TEST_F(LogFollowerTest, ResumeAcrossRotationsReadsTheRestThenTheNewerFiles) {
  Write("a\nb\n");
  absl::StatusOr<LogFollower> first = LogFollower::AtTail(path_, 10);
  ASSERT_TRUE(first.ok());
  std::vector<FollowedLine> seen = PollLines(*first);
  ASSERT_EQ(seen.size(), 2u);
  // While the client was away: more lines, and two rotations.
  AppendText("c\n");
  Rotate();
  Write("d\n");
  Rotate();
  Write("e\n");
  absl::StatusOr<LogFollower> again = LogFollower::ResumeAfter(path_, seen[0].end);
  ASSERT_TRUE(again.ok()) << again.status();
  std::vector<FollowedLine> rest = PollLines(*again);
  ASSERT_EQ(rest.size(), 4u);
  EXPECT_EQ(rest[0].text, "b");
  EXPECT_EQ(rest[1].text, "c");
  EXPECT_EQ(rest[2].text, "d");
  EXPECT_EQ(rest[3].text, "e");
  EXPECT_EQ(rest[1].end.inode, InodeOf(path_ + ".2"));
  EXPECT_EQ(rest[2].end, (LogPosition{InodeOf(path_ + ".1"), 2}));
  EXPECT_EQ(rest[3].end, (LogPosition{InodeOf(path_), 2}));
  AppendText("f\n");
  EXPECT_THAT(Poll(*again), ElementsAre("f"));
}

TEST_F(LogFollowerTest, ResumeAfterAFileRotatedOutIsNotFound) {
  Write("a\n");
  absl::StatusOr<LogFollower> again = LogFollower::ResumeAfter(path_, {InodeOf(path_) + 1, 2});
  EXPECT_TRUE(absl::IsNotFound(again.status())) << again.status();
}

}  // namespace
}  // namespace asgard::agent
