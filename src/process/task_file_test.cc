#include "process/task_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace asgard::process {
namespace {

using ::testing::HasSubstr;

class TaskFileTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = testing::TempDir() + "asgard-taskfile-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Fifo() {
    std::string path = dir_ + "/fifo";
    EXPECT_EQ(mkfifo(path.c_str(), 0666), 0);
    return path;
  }

  std::string dir_;
};

constexpr int kAppend = O_WRONLY | O_CREAT | O_APPEND;

TEST_F(TaskFileTest, CreatesAndOpensARegularFile) {
  auto file = OpenTaskFile(dir_ + "/out.log", kAppend);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE(S_ISREG(file->st.st_mode));
  EXPECT_FALSE(file->dev_null);
  EXPECT_EQ(write(file->fd.get(), "x", 1), 1);
}

TEST_F(TaskFileTest, MissingFileIsNotFound) {
  EXPECT_TRUE(absl::IsNotFound(OpenTaskFile(dir_ + "/none", O_RDONLY).status()));
}

// Without a reader, a plain open() for writing would wait for one forever.
TEST_F(TaskFileTest, FifoWithoutReaderIsRefusedAtOnce) {
  auto file = OpenTaskFile(Fifo(), kAppend);
  ASSERT_FALSE(file.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(file.status())) << file.status();
  EXPECT_THAT(file.status().message(), HasSubstr("is a FIFO, not a regular file"));
}

// With a reader that never reads, open() succeeds but the writes would block once the pipe
// buffer is full.
TEST_F(TaskFileTest, FifoWithReaderIsRefused) {
  std::string path = Fifo();
  UniqueFd reader(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  ASSERT_TRUE(reader.valid());
  auto file = OpenTaskFile(path, kAppend);
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(), HasSubstr("is a FIFO"));
}

// Reading (log tail and follow): a plain open() would wait for a writer forever.
TEST_F(TaskFileTest, FifoForReadingIsRefusedAtOnce) {
  auto file = OpenTaskFile(Fifo(), O_RDONLY);
  ASSERT_FALSE(file.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(file.status())) << file.status();
}

TEST_F(TaskFileTest, SymbolicLinkIsNotFollowed) {
  std::string target = dir_ + "/target";
  ASSERT_TRUE(OpenTaskFile(target, kAppend).ok());
  std::string link = dir_ + "/link";
  ASSERT_EQ(symlink(target.c_str(), link.c_str()), 0);
  auto file = OpenTaskFile(link, kAppend);
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(), HasSubstr("symbolic link"));
}

TEST_F(TaskFileTest, DirectoryAndDevicesAreRefused) {
  EXPECT_THAT(OpenTaskFile(dir_, O_RDONLY).status().message(), HasSubstr("is a directory"));
  EXPECT_THAT(OpenTaskFile("/dev/zero", O_RDONLY).status().message(),
              HasSubstr("is a character device"));
}

TEST_F(TaskFileTest, DevNullIsAccepted) {
  auto file = OpenTaskFile("/dev/null", kAppend);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE(file->dev_null);
}

}  // namespace
}  // namespace asgard::process
