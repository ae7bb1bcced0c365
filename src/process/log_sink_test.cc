#include "process/log_sink.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "gtest/gtest.h"
#include "process/process_spec.h"

namespace asgard::process {
namespace {

// Each test in its own directory, removed afterwards (rotation tests write megabytes).
class LogSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/asgard-sink-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  const std::string& TempDir() const { return dir_; }

  std::string dir_;
};

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Exists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

TEST_F(LogSinkTest, CreatesParentDirectoriesAndAppends) {
  std::string dir = TempDir();
  std::string path = dir + "/a/b/out.log";
  {
    auto sink = LogSink::Open(path, 0, 3);
    ASSERT_TRUE(sink.ok()) << sink.status();
    ASSERT_TRUE((*sink)->Write("one\n").ok());
  }
  auto sink = LogSink::Open(path, 0, 3);
  ASSERT_TRUE(sink.ok());
  EXPECT_EQ((*sink)->size(), 4);
  ASSERT_TRUE((*sink)->Write("two\n").ok());
  EXPECT_EQ(Slurp(path), "one\ntwo\n");
}

constexpr int64_t kMiB = int64_t{1} << 20;
static_assert(kMiB == kMinRotateBytes, "the tests below rotate at the smallest size");

std::string Chunk(char c, int64_t bytes = kMiB) { return std::string(bytes, c); }

TEST_F(LogSinkTest, RotatesAtMaxBytesAndKeepsBackups) {
  std::string path = TempDir() + "/out.log";
  auto sink = LogSink::Open(path, kMiB, 2);
  ASSERT_TRUE(sink.ok());
  for (char c : {'a', 'b', 'c', 'd', 'e'}) ASSERT_TRUE((*sink)->Write(Chunk(c)).ok());
  EXPECT_EQ(Slurp(path), Chunk('e'));
  EXPECT_EQ(Slurp(path + ".1"), Chunk('d'));
  EXPECT_EQ(Slurp(path + ".2"), Chunk('c'));
  EXPECT_FALSE(Exists(path + ".3"));
}

TEST_F(LogSinkTest, LargeWriteIsSplitAndNoFileExceedsMax) {
  std::string path = TempDir() + "/out.log";
  auto sink = LogSink::Open(path, kMiB, 5);
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Write(Chunk('a') + Chunk('b') + Chunk('c', 10)).ok());
  EXPECT_EQ(Slurp(path), Chunk('c', 10));
  EXPECT_EQ(Slurp(path + ".1"), Chunk('b'));
  EXPECT_EQ(Slurp(path + ".2"), Chunk('a'));
}

TEST_F(LogSinkTest, ZeroBackupsTruncatesInPlace) {
  std::string path = TempDir() + "/out.log";
  auto sink = LogSink::Open(path, kMiB, 0);
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Write(Chunk('a')).ok());
  ASSERT_TRUE((*sink)->Write("678").ok());
  EXPECT_EQ(Slurp(path), "678");
  EXPECT_FALSE(Exists(path + ".1"));
}

// max_bytes 1 with 1000 backups (from an older store: app.yaml and the API refuse them) would
// make every byte a rotation renaming 1000 files. The sink honours the bounds instead.
TEST_F(LogSinkTest, OutOfBoundValuesAreBroughtWithinBounds) {
  std::string path = TempDir() + "/out.log";
  for (int i = 1; i <= kMaxBackups + 5; ++i) {
    std::ofstream(path + "." + std::to_string(i)) << i;
  }
  auto sink = LogSink::Open(path, 1, 1000);
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Write("0123456789").ok());
  EXPECT_EQ(Slurp(path), "0123456789") << "no rotation below the minimum size";
  ASSERT_TRUE((*sink)->Write(Chunk('x')).ok());  // crosses 1MB once
  EXPECT_EQ(Slurp(path + ".1"), "0123456789" + Chunk('x', kMiB - 10));
  EXPECT_EQ(Slurp(path + ".2"), "1");
  EXPECT_EQ(Slurp(path + "." + std::to_string(kMaxBackups)), std::to_string(kMaxBackups - 1));
  // Past the bound nothing is renamed (1000 backups would have moved .105 to .106).
  EXPECT_EQ(Slurp(path + "." + std::to_string(kMaxBackups + 1)), std::to_string(kMaxBackups + 1));
  EXPECT_FALSE(Exists(path + "." + std::to_string(kMaxBackups + 6)));
}

// A FIFO as std_out would block the daemon's loop in open() (no reader) or in write() (a
// reader that does not read): it is a start failure instead, at once.
TEST_F(LogSinkTest, FifoIsRefusedWithoutBlocking) {
  std::string path = TempDir() + "/out.fifo";
  ASSERT_EQ(mkfifo(path.c_str(), 0666), 0);
  auto sink = LogSink::Open(path, 0, 1);
  ASSERT_FALSE(sink.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(sink.status())) << sink.status();
  EXPECT_NE(sink.status().message().find("is a FIFO"), std::string::npos) << sink.status();
}

// Rotating /dev/null would rename the device away. Tested on a node of our own (the same
// device, 1:3), so that a regression cannot take the machine's /dev/null with it.
TEST_F(LogSinkTest, DevNullDiscardsAndNeverRotates) {
  std::string path = TempDir() + "/null";
  if (mknod(path.c_str(), S_IFCHR | 0666, makedev(1, 3)) != 0) GTEST_SKIP() << "needs mknod";
  auto sink = LogSink::Open(path, kMiB, 2);
  ASSERT_TRUE(sink.ok()) << sink.status();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*sink)->Write(Chunk('x')).ok());
  EXPECT_TRUE(Exists(path));
  EXPECT_FALSE(Exists(path + ".1"));
}

TEST_F(LogSinkTest, UnwritableDirectoryIsAnError) {
  auto sink = LogSink::Open("/proc/asgard-nope/out.log", 0, 1);
  EXPECT_FALSE(sink.ok());
}

// A non-admin's task: its files are made, and rotated, with the task user's rights, so a path
// only root may write to is refused and what is made belongs to the user.
TEST_F(LogSinkTest, WithAnIdentityTheUsersRightsApply) {
  if (geteuid() != 0) {
    if (getenv("CI") != nullptr) FAIL() << "needs root under CI=true";
    GTEST_SKIP() << "needs root";
  }
  auto nobody = LookUpFsIdentity("nobody");
  ASSERT_TRUE(nobody.ok()) << nobody.status();
  auto as_nobody = std::make_shared<const FsIdentity>(*nobody);
  std::string dir = TempDir();
  chmod(dir.c_str(), 0755);
  std::string closed = dir + "/closed";
  mkdir(closed.c_str(), 0700);
  auto refused = LogSink::Open(closed + "/out.log", 0, 1, as_nobody);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(absl::IsPermissionDenied(refused.status())) << refused.status();
  EXPECT_FALSE(Exists(closed + "/out.log"));

  std::string open_dir = dir + "/open";
  mkdir(open_dir.c_str(), 0777);
  chmod(open_dir.c_str(), 0777);
  auto sink = LogSink::Open(open_dir + "/out.log", kMiB, 2, as_nobody);
  ASSERT_TRUE(sink.ok()) << sink.status();
  ASSERT_TRUE((*sink)->Write(Chunk('a') + "b").ok());  // one rotation
  for (const char* name : {"/out.log", "/out.log.1"}) {
    struct stat st {};
    ASSERT_EQ(stat((open_dir + name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_uid, nobody->uid) << name;
  }
}

}  // namespace
}  // namespace asgard::process
