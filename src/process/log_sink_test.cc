#include "process/log_sink.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "gtest/gtest.h"

namespace asgard::process {
namespace {

std::string TempDir() {
  char tmpl[] = "/tmp/asgard-sink-XXXXXX";
  return mkdtemp(tmpl);
}

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

TEST(LogSink, CreatesParentDirectoriesAndAppends) {
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

TEST(LogSink, RotatesAtMaxBytesAndKeepsBackups) {
  std::string path = TempDir() + "/out.log";
  auto sink = LogSink::Open(path, 10, 2);
  ASSERT_TRUE(sink.ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE((*sink)->Write("0123456789").ok());
  EXPECT_EQ(Slurp(path), "0123456789");
  EXPECT_EQ(Slurp(path + ".1"), "0123456789");
  EXPECT_EQ(Slurp(path + ".2"), "0123456789");
  EXPECT_FALSE(Exists(path + ".3"));
}

TEST(LogSink, LargeWriteIsSplitAndNoFileExceedsMax) {
  std::string path = TempDir() + "/out.log";
  auto sink = LogSink::Open(path, 4, 5);
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Write("abcdefghij").ok());
  EXPECT_EQ(Slurp(path), "ij");
  EXPECT_EQ(Slurp(path + ".1"), "efgh");
  EXPECT_EQ(Slurp(path + ".2"), "abcd");
}

TEST(LogSink, ZeroBackupsTruncatesInPlace) {
  std::string path = TempDir() + "/out.log";
  auto sink = LogSink::Open(path, 5, 0);
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->Write("12345").ok());
  ASSERT_TRUE((*sink)->Write("678").ok());
  EXPECT_EQ(Slurp(path), "678");
  EXPECT_FALSE(Exists(path + ".1"));
}

TEST(LogSink, UnwritableDirectoryIsAnError) {
  auto sink = LogSink::Open("/proc/asgard-nope/out.log", 0, 1);
  EXPECT_FALSE(sink.ok());
}

// A non-admin's task: its files are made, and rotated, with the task user's rights, so a path
// only root may write to is refused and what is made belongs to the user.
TEST(LogSink, WithAnIdentityTheUsersRightsApply) {
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
  auto sink = LogSink::Open(open_dir + "/out.log", 4, 2, as_nobody);
  ASSERT_TRUE(sink.ok()) << sink.status();
  ASSERT_TRUE((*sink)->Write("12345678").ok());  // two rotations
  for (const char* name : {"/out.log", "/out.log.1"}) {
    struct stat st {};
    ASSERT_EQ(stat((open_dir + name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_uid, nobody->uid) << name;
  }
  std::system(("rm -rf " + dir).c_str());
}

}  // namespace
}  // namespace asgard::process
