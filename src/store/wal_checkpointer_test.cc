// File: wal_checkpointer_test.cc
// SQLite checkpoints off the writer: a commit past 1,000 WAL pages no longer copies the WAL into
// the database file itself; the checkpointer's thread does, soon after; and the writer gets its
// automatic checkpoints back when the checkpointer goes.
#include "store/wal_checkpointer.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace asgard::store {
namespace {

class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/asgard-wal-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    path_ = dir_ + "/test.db";
    auto writer = SqliteConn::Open(path_);
    ASSERT_TRUE(writer.ok()) << writer.status();
    writer_ = std::move(*writer);
    ASSERT_TRUE(writer_->ExecScript("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)").ok());
    ASSERT_TRUE(writer_->Checkpoint().ok());
  }
  void TearDown() override {
    writer_.reset();
    std::string cmd = "rm -rf '" + dir_ + "'";
    (void)system(cmd.c_str());
  }

  // About 6 MB in one transaction: past 1,000 pages of WAL.
  void WriteMuchInOneCommit() {
    ASSERT_TRUE(writer_->Begin().ok());
    for (int i = 0; i < 1500; ++i) {
      ASSERT_TRUE(writer_->Exec("INSERT INTO t (v) VALUES (?)", {std::string(4000, 'x')}).ok());
    }
    ASSERT_TRUE(writer_->Commit().ok());
  }

  off_t DatabaseBytes() const {
    struct stat st {};
    return stat(path_.c_str(), &st) == 0 ? st.st_size : -1;
  }

  std::string dir_, path_;
  std::unique_ptr<SqliteConn> writer_;
};

TEST_F(WalCheckpointerTest, TheHookSeesTheWalAndTheCommitNoLongerCheckpoints) {
  int pages = 0;
  writer_->OnWalCommit([&](int n) { pages = n; });
  off_t before = DatabaseBytes();
  WriteMuchInOneCommit();
  EXPECT_GE(pages, WalCheckpointer::kPages);
  EXPECT_EQ(DatabaseBytes(), before);  // everything still in the WAL
  writer_->OnWalCommit(nullptr);
  WriteMuchInOneCommit();
  EXPECT_GT(DatabaseBytes(), before + (4 << 20));  // SQLite's own checkpoint, in the commit
}

TEST_F(WalCheckpointerTest, TheThreadCheckpointsSoonAfterTheCommit) {
  auto checkpointer = WalCheckpointer::Start(path_, *writer_);
  ASSERT_TRUE(checkpointer.ok()) << checkpointer.status();
  off_t before = DatabaseBytes();
  WriteMuchInOneCommit();
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (DatabaseBytes() <= before + (4 << 20) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GT(DatabaseBytes(), before + (4 << 20));
  auto rows = writer_->Query("SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(rows->front()[0], "1500");
  checkpointer->reset();  // the writer checkpoints by itself again
  off_t after = DatabaseBytes();
  WriteMuchInOneCommit();
  EXPECT_GT(DatabaseBytes(), after + (4 << 20));
}

}  // namespace
}  // namespace asgard::store

namespace asgard::store {
namespace {

// Two web nodes starting together on a new SQLite file: both switch it to WAL, and the loser of
// that race got "database is locked" at once (SQLite skips its busy handler there) and exited.
TEST(SqliteOpen, ConnectionsOpeningANewFileTogetherAllGetIt) {
  char dir[] = "/tmp/asgard-open-race-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  for (int round = 0; round < 30; ++round) {
    const std::string path = std::string(dir) + "/race" + std::to_string(round) + ".db";
    std::atomic<int> ready{0};
    std::atomic<int> opened{0};
    std::vector<std::thread> openers;
    for (int i = 0; i < 4; ++i) {
      openers.emplace_back([&] {
        ++ready;
        while (ready.load() < 4) {
        }
        auto conn = SqliteConn::Open(path);
        EXPECT_TRUE(conn.ok()) << conn.status();
        if (conn.ok()) ++opened;
      });
    }
    for (auto& t : openers) t.join();
    EXPECT_EQ(opened.load(), 4) << "round " << round;
  }
  std::string cmd = "rm -rf '" + std::string(dir) + "'";
  (void)system(cmd.c_str());
}

}  // namespace
}  // namespace asgard::store
