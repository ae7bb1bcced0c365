#include "agent/log_tail.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "agent/log_file_test_fixture.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace asgard::agent {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class LogTailTest : public LogFileTest {
 protected:

  std::vector<std::string> Tail(int lines) {
    absl::StatusOr<std::vector<std::string>> got = TailLines(path_, lines);
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() ? *got : std::vector<std::string>{};
  }

};

TEST_F(LogTailTest, MissingFileIsNotFound) {
  EXPECT_TRUE(absl::IsNotFound(TailLines(path_, 10).status()));
}

TEST_F(LogTailTest, EmptyFileHasNoLines) {
  Write("");
  EXPECT_THAT(Tail(10), IsEmpty());
}

TEST_F(LogTailTest, FewerLinesThanAsked) {
  Write("a\nb\n");
  EXPECT_THAT(Tail(10), ElementsAre("a", "b"));
}

TEST_F(LogTailTest, ExactCount) {
  Write("a\nb\nc\n");
  EXPECT_THAT(Tail(3), ElementsAre("a", "b", "c"));
  EXPECT_THAT(Tail(2), ElementsAre("b", "c"));
  EXPECT_THAT(Tail(1), ElementsAre("c"));
}

TEST_F(LogTailTest, FinalLineWithoutNewlineCounts) {
  Write("a\nb");
  EXPECT_THAT(Tail(5), ElementsAre("a", "b"));
  EXPECT_THAT(Tail(1), ElementsAre("b"));
}

TEST_F(LogTailTest, EmptyLinesCount) {
  Write("\n\nx\n\n");
  EXPECT_THAT(Tail(10), ElementsAre("", "", "x", ""));
  Write("\n");
  EXPECT_THAT(Tail(10), ElementsAre(""));
}

TEST_F(LogTailTest, HugeLineIsCutToItsStart) {
  std::string huge = "start" + std::string(200 * 1024, 'x') + "end";
  Write("before\n" + huge + "\nafter\n" + huge);
  std::vector<std::string> lines = Tail(4);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "before");
  EXPECT_EQ(lines[1], huge.substr(0, kMaxLineBytes));
  EXPECT_EQ(lines[2], "after");
  EXPECT_EQ(lines[3], huge.substr(0, kMaxLineBytes));
}

TEST_F(LogTailTest, LineOfExactlyMaxBytesIsKept) {
  std::string line(kMaxLineBytes, 'y');
  Write("a\n" + line + "\n");
  EXPECT_THAT(Tail(2), ElementsAre("a", line));
}

TEST_F(LogTailTest, ManyBlocksLastTen) {
  std::string text;
  for (int i = 1; i <= 100000; ++i) text += "line " + std::to_string(i) + "\n";
  Write(text);
  std::vector<std::string> lines = Tail(10);
  ASSERT_EQ(lines.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(lines[i], "line " + std::to_string(99991 + i));
}

TEST_F(LogTailTest, LinesAcrossBlockBoundaries) {
  // 7-byte lines do not divide the 64 KiB block size: lines straddle every boundary.
  std::string text;
  for (int i = 0; i < 30000; ++i) text += "l" + std::to_string(100000 + i) + "\n";
  Write(text);
  std::vector<std::string> lines = Tail(kMaxTailLines);
  ASSERT_EQ(lines.size(), static_cast<size_t>(kMaxTailLines));
  for (int i = 0; i < kMaxTailLines; ++i) {
    ASSERT_EQ(lines[i], "l" + std::to_string(100000 + 30000 - kMaxTailLines + i)) << i;
  }
}

TEST_F(LogTailTest, CountIsClamped) {
  std::string text;
  for (int i = 1; i <= 6000; ++i) text += std::to_string(i) + "\n";
  Write(text);
  EXPECT_THAT(Tail(0), ElementsAre("6000"));
  EXPECT_THAT(Tail(-5), ElementsAre("6000"));
  std::vector<std::string> lines = Tail(100000);
  ASSERT_EQ(lines.size(), static_cast<size_t>(kMaxTailLines));
  EXPECT_EQ(lines.front(), "1001");
  EXPECT_EQ(lines.back(), "6000");
}

// A FIFO under a task's output path would block a plain open() until a writer came.
TEST_F(LogTailTest, TailOfAFifoFailsAtOnce) {
  ASSERT_EQ(mkfifo(path_.c_str(), 0666), 0);
  absl::StatusOr<std::vector<std::string>> got = TailLines(path_, 10);
  ASSERT_FALSE(got.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(got.status())) << got.status();
}

}  // namespace
}  // namespace asgard::agent
