#include "agent/report_spool.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "gtest/gtest.h"
#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/spdlog.h"

namespace asgard::agent {
namespace {

namespace fs = std::filesystem;

class ReportSpoolTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = testing::TempDir() + "asgard-spool-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    dir_ = root_ + "/spool";  // not there yet: Open creates it
  }
  void TearDown() override { fs::remove_all(root_); }

  std::unique_ptr<ReportSpool> OpenSpool(size_t max_bytes = 1 << 20) {
    auto spool = ReportSpool::Open(dir_, max_bytes);
    EXPECT_TRUE(spool.ok()) << spool.status();
    return spool.ok() ? std::move(*spool) : nullptr;
  }

  std::string File(int64_t seq, const std::string& suffix = ".batch") const {
    char name[32];
    std::snprintf(name, sizeof(name), "%012lld", static_cast<long long>(seq));
    return dir_ + "/" + name + suffix;
  }

  static void WriteText(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::trunc) << text;
  }

  std::string root_;
  std::string dir_;
};

v1::ReportBatch Batch(int monitors, int archives = 0, int exceptions = 0, int64_t agent_id = 7) {
  v1::ReportBatch batch;
  batch.set_agent_id(agent_id);
  for (int i = 0; i < monitors; ++i) {
    v1::MonitorSample* m = batch.add_monitors();
    m->mutable_ref()->set_kind(v1::TASK_KIND_APP);
    m->mutable_ref()->set_id(i);
    m->set_uuid("0f0e0d0c-0b0a-4908-8706-050403020100");
    m->set_cpu(12.5);
    m->set_memory(256);
    m->set_time(1700000000 + i);
  }
  for (int i = 0; i < archives; ++i) batch.add_archives()->set_uuid("archive-" + std::to_string(i));
  for (int i = 0; i < exceptions; ++i) {
    batch.add_exceptions()->set_desc("failed " + std::to_string(i));
  }
  return batch;
}

int64_t Append(ReportSpool& spool, v1::ReportBatch batch) {
  absl::StatusOr<int64_t> seq = spool.Append(std::move(batch));
  EXPECT_TRUE(seq.ok()) << seq.status();
  return seq.ok() ? *seq : -1;
}

size_t FileBytes(const std::string& dir) {
  size_t total = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".batch") total += entry.file_size();
  }
  return total;
}

TEST_F(ReportSpoolTest, SeqIncreasesAndBatchIsStamped) {
  auto spool = OpenSpool();
  ASSERT_NE(spool, nullptr);
  EXPECT_EQ(Append(*spool, Batch(1)), 1);
  EXPECT_EQ(Append(*spool, Batch(2)), 2);
  EXPECT_EQ(Append(*spool, Batch(3)), 3);
  EXPECT_EQ(spool->size(), 3u);
  EXPECT_EQ(spool->bytes(), FileBytes(dir_));
  EXPECT_TRUE(fs::exists(File(1)));

  std::optional<v1::ReportBatch> front = spool->Front();
  ASSERT_TRUE(front.has_value());
  EXPECT_EQ(front->seq(), 1);
  EXPECT_EQ(front->stream_uuid(), spool->stream_uuid());
  EXPECT_EQ(front->monitors_size(), 1);
  EXPECT_EQ(front->agent_id(), 7);
}

TEST_F(ReportSpoolTest, DirectoryIsCreatedPrivate) {
  auto spool = OpenSpool();
  ASSERT_NE(spool, nullptr);
  struct stat st {};
  ASSERT_EQ(stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(ReportSpoolTest, StreamUuidStableAcrossReopen) {
  std::string uuid;
  {
    auto spool = OpenSpool();
    ASSERT_NE(spool, nullptr);
    uuid = spool->stream_uuid();
    EXPECT_EQ(uuid.size(), 36u);
  }
  auto again = OpenSpool();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->stream_uuid(), uuid);

  dir_ = root_ + "/other";
  auto other = OpenSpool();
  ASSERT_NE(other, nullptr);
  EXPECT_NE(other->stream_uuid(), uuid);
}

TEST_F(ReportSpoolTest, ReopenRestoresPendingBatchesInOrder) {
  {
    auto spool = OpenSpool();
    ASSERT_NE(spool, nullptr);
    for (int i = 1; i <= 3; ++i) Append(*spool, Batch(i, 0, 0, /*agent_id=*/100 + i));
  }
  auto spool = OpenSpool();
  ASSERT_NE(spool, nullptr);
  EXPECT_EQ(spool->size(), 3u);
  EXPECT_EQ(spool->bytes(), FileBytes(dir_));
  for (int i = 1; i <= 3; ++i) {
    std::optional<v1::ReportBatch> front = spool->Front();
    ASSERT_TRUE(front.has_value());
    EXPECT_EQ(front->seq(), i);
    EXPECT_EQ(front->agent_id(), 100 + i);
    EXPECT_EQ(front->monitors_size(), i);
    ASSERT_TRUE(spool->Ack(front->seq()).ok());
  }
  EXPECT_FALSE(spool->Front().has_value());
  EXPECT_EQ(Append(*spool, Batch(1)), 4);
}

TEST_F(ReportSpoolTest, AckRemovesAndSeqStaysIncreasingWhenEmpty) {
  {
    auto spool = OpenSpool();
    ASSERT_NE(spool, nullptr);
    Append(*spool, Batch(1));
    Append(*spool, Batch(1));
    Append(*spool, Batch(1));
    ASSERT_TRUE(spool->Ack(2).ok());
    EXPECT_EQ(spool->size(), 1u);
    EXPECT_FALSE(fs::exists(File(1)));
    EXPECT_FALSE(fs::exists(File(2)));
    EXPECT_EQ(spool->Front()->seq(), 3);
    ASSERT_TRUE(spool->Ack(3).ok());
    EXPECT_EQ(spool->size(), 0u);
    EXPECT_EQ(spool->bytes(), 0u);
    ASSERT_TRUE(spool->Ack(1).ok());  // an older ack changes nothing
  }
  auto spool = OpenSpool();
  ASSERT_NE(spool, nullptr);
  EXPECT_FALSE(spool->Front().has_value());
  EXPECT_EQ(Append(*spool, Batch(1)), 4);
}

TEST_F(ReportSpoolTest, AckAboveAnythingAppendedMovesSeqPastIt) {
  {
    auto spool = OpenSpool();
    ASSERT_NE(spool, nullptr);
    Append(*spool, Batch(1));
    ASSERT_TRUE(spool->Ack(10).ok());
    EXPECT_EQ(Append(*spool, Batch(1)), 11);
  }
  auto spool = OpenSpool();
  ASSERT_NE(spool, nullptr);
  EXPECT_EQ(spool->Front()->seq(), 11);
  EXPECT_EQ(Append(*spool, Batch(1)), 12);
}

TEST_F(ReportSpoolTest, AckedBatchLeftByACrashIsDeletedAtOpen) {
  {
    auto spool = OpenSpool();
    ASSERT_NE(spool, nullptr);
    Append(*spool, Batch(1));
    Append(*spool, Batch(1));
    fs::copy_file(File(1), root_ + "/saved");
    ASSERT_TRUE(spool->Ack(1).ok());
  }
  // As if the agent died after recording the ack and before deleting the file.
  fs::copy_file(root_ + "/saved", File(1));
  auto spool = OpenSpool();
  ASSERT_NE(spool, nullptr);
  EXPECT_EQ(spool->size(), 1u);
  EXPECT_EQ(spool->Front()->seq(), 2);
  EXPECT_FALSE(fs::exists(File(1)));
}

TEST_F(ReportSpoolTest, BoundDropsMonitorsOldestFirst) {
  const size_t one = Batch(100, 1).ByteSizeLong() + 60;  // + stream uuid and seq
  auto spool = OpenSpool(one * 5 / 2);
  ASSERT_NE(spool, nullptr);
  Append(*spool, Batch(100, 1));
  Append(*spool, Batch(100, 1));
  EXPECT_EQ(spool->dropped_monitors(), 0);
  Append(*spool, Batch(100, 1));  // three no longer fit: the oldest loses its samples

  EXPECT_EQ(spool->dropped_monitors(), 100);
  EXPECT_LE(spool->bytes(), one * 5 / 2);
  EXPECT_EQ(spool->bytes(), FileBytes(dir_));
  EXPECT_EQ(spool->size(), 3u);
  for (int seq = 1; seq <= 3; ++seq) {
    std::optional<v1::ReportBatch> front = spool->Front();
    ASSERT_TRUE(front.has_value());
    EXPECT_EQ(front->seq(), seq);
    EXPECT_EQ(front->monitors_size(), seq == 1 ? 0 : 100) << "seq " << seq;
    EXPECT_EQ(front->archives_size(), 1);
    EXPECT_EQ(front->stream_uuid(), spool->stream_uuid());
    ASSERT_TRUE(spool->Ack(seq).ok());
  }
}

TEST_F(ReportSpoolTest, BoundNeverDropsArchivesOrExceptions) {
  auto spool = OpenSpool(/*max_bytes=*/10);
  ASSERT_NE(spool, nullptr);
  for (int i = 0; i < 4; ++i) Append(*spool, Batch(5, 2, 3));
  EXPECT_EQ(spool->dropped_monitors(), 20);
  EXPECT_EQ(spool->size(), 4u);
  EXPECT_GT(spool->bytes(), 10u);  // over the bound, but nothing else may go
  EXPECT_EQ(spool->bytes(), FileBytes(dir_));
  for (int seq = 1; seq <= 4; ++seq) {
    std::optional<v1::ReportBatch> front = spool->Front();
    ASSERT_TRUE(front.has_value());
    EXPECT_EQ(front->seq(), seq);
    EXPECT_EQ(front->monitors_size(), 0);
    EXPECT_EQ(front->archives_size(), 2);
    EXPECT_EQ(front->exceptions_size(), 3);
    ASSERT_TRUE(spool->Ack(seq).ok());
  }
}

TEST_F(ReportSpoolTest, OverBoundIsLoggedOncePerCrossing) {
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "spool_test", std::make_shared<spdlog::sinks::ostream_sink_st>(log)));
  auto count_warnings = [&log] {
    std::string text = log.str();
    int n = 0;
    for (size_t at = 0; (at = text.find("over its bound", at)) != std::string::npos; ++at) ++n;
    return n;
  };
  auto spool = OpenSpool(/*max_bytes=*/10);
  ASSERT_NE(spool, nullptr);
  Append(*spool, Batch(1, 1));
  Append(*spool, Batch(1, 1));
  Append(*spool, Batch(1, 1));
  EXPECT_EQ(count_warnings(), 1);
  ASSERT_TRUE(spool->Ack(3).ok());  // back under the bound
  Append(*spool, Batch(1, 1));
  Append(*spool, Batch(1, 1));
  EXPECT_EQ(count_warnings(), 2);
  spdlog::set_default_logger(previous);
}

TEST_F(ReportSpoolTest, LeftoverTmpFilesAreIgnoredAndRemoved) {
  { ASSERT_NE(OpenSpool(), nullptr); }
  WriteText(File(5, ".batch.tmp"), "half a batch");
  WriteText(dir_ + "/acked.tmp", "99");
  auto spool = OpenSpool();
  ASSERT_NE(spool, nullptr);
  EXPECT_EQ(spool->size(), 0u);
  EXPECT_FALSE(fs::exists(File(5, ".batch.tmp")));
  EXPECT_FALSE(fs::exists(dir_ + "/acked.tmp"));
  EXPECT_EQ(Append(*spool, Batch(1)), 1);
}

TEST_F(ReportSpoolTest, CorruptFileAtOpenIsMovedAside) {
  {
    auto spool = OpenSpool();
    ASSERT_NE(spool, nullptr);
    Append(*spool, Batch(1));
    Append(*spool, Batch(1));
  }
  WriteText(File(1), "\xff\xff\xff not a protobuf");
  WriteText(File(9), "\xff\xff\xff");
  auto spool = OpenSpool();
  ASSERT_NE(spool, nullptr);
  EXPECT_EQ(spool->size(), 1u);
  EXPECT_EQ(spool->bytes(), FileBytes(dir_));
  EXPECT_TRUE(fs::exists(File(1, ".batch.corrupt")));
  EXPECT_TRUE(fs::exists(File(9, ".batch.corrupt")));
  EXPECT_EQ(spool->Front()->seq(), 2);
  EXPECT_EQ(Append(*spool, Batch(1)), 10);  // 9 may have been sent: never reused

  auto again = OpenSpool();  // moved-aside files stay out of the spool
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->size(), 2u);
}

TEST_F(ReportSpoolTest, CorruptFileAtFrontIsMovedAside) {
  auto spool = OpenSpool();
  ASSERT_NE(spool, nullptr);
  Append(*spool, Batch(1));
  Append(*spool, Batch(1));
  WriteText(File(1), "\xff\xff\xff");
  EXPECT_EQ(spool->Front()->seq(), 2);
  EXPECT_EQ(spool->size(), 1u);
  EXPECT_TRUE(fs::exists(File(1, ".batch.corrupt")));
}

// A damaged `stream` made the agent exit, and run nothing, until someone edited the file.
TEST_F(ReportSpoolTest, DamagedStreamFileStartsANewStream) {
  std::string old_stream;
  {
    auto spool = OpenSpool();
    ASSERT_NE(spool, nullptr);
    old_stream = spool->stream_uuid();
    Append(*spool, Batch(1, 1));
    Append(*spool, Batch(1, 1));
  }
  WriteText(dir_ + "/stream", "garbage");
  auto spool = OpenSpool();
  ASSERT_NE(spool, nullptr);
  EXPECT_NE(spool->stream_uuid(), old_stream);
  EXPECT_EQ(spool->stream_uuid().size(), 36u);
  EXPECT_TRUE(fs::exists(dir_ + "/stream.corrupt")) << "kept for a human";
  // What was pending is still sent, in the stream it was stamped with.
  ASSERT_EQ(spool->size(), 2u);
  EXPECT_EQ(spool->Front()->stream_uuid(), old_stream);
  EXPECT_EQ(Append(*spool, Batch(1)), 3) << "the file names stay unique";
  ASSERT_TRUE(spool->Ack(3).ok());
  EXPECT_EQ(spool->size(), 0u);
  auto again = OpenSpool();  // the new stream is the one kept from now on
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->stream_uuid(), spool->stream_uuid());
}

// Without a trustworthy `acked`, the next sequence number of the stream is unknown: a new
// stream, whose numbers cannot collide with anything the master stored.
TEST_F(ReportSpoolTest, DamagedAckedFileStartsANewStream) {
  std::string old_stream;
  {
    auto spool = OpenSpool();
    ASSERT_NE(spool, nullptr);
    old_stream = spool->stream_uuid();
    Append(*spool, Batch(1));
    Append(*spool, Batch(1));
    ASSERT_TRUE(spool->Ack(2).ok());
  }
  WriteText(dir_ + "/acked", "\xff\xfe twelve");
  auto spool = OpenSpool();
  ASSERT_NE(spool, nullptr);
  EXPECT_NE(spool->stream_uuid(), old_stream);
  EXPECT_TRUE(fs::exists(dir_ + "/acked.corrupt"));
  EXPECT_EQ(spool->size(), 0u);
  EXPECT_EQ(Append(*spool, Batch(1)), 1);
  EXPECT_EQ(spool->Front()->stream_uuid(), spool->stream_uuid());
}

TEST_F(ReportSpoolTest, UnreadableStreamFileFailsOpen) {
  { ASSERT_NE(OpenSpool(), nullptr); }
  fs::remove(dir_ + "/stream");
  fs::create_directory(dir_ + "/stream");  // EISDIR: not damage that a new stream would fix
  EXPECT_FALSE(ReportSpool::Open(dir_, 1 << 20).ok());
}

TEST_F(ReportSpoolTest, UnusableDirectoryFailsOpen) {
  WriteText(root_ + "/file", "x");
  EXPECT_FALSE(ReportSpool::Open(root_ + "/file", 1 << 20).ok());
  EXPECT_FALSE(ReportSpool::Open(root_ + "/file/spool", 1 << 20).ok());
}

TEST_F(ReportSpoolTest, ConcurrentAppendFrontAck) {
  constexpr int kBatches = 100;
  auto spool = OpenSpool();
  ASSERT_NE(spool, nullptr);
  std::atomic<bool> append_failed{false};
  std::thread producer([&] {
    for (int i = 0; i < kBatches; ++i) {
      if (!spool->Append(Batch(2, 1)).ok()) append_failed = true;
    }
  });
  // No ASSERT before join(): leaving with the producer running would abort the binary.
  int64_t expected = 1;
  bool consumer_ok = true;
  while (expected <= kBatches && !append_failed && consumer_ok) {
    std::optional<v1::ReportBatch> front = spool->Front();
    if (!front) {
      std::this_thread::yield();
      continue;
    }
    EXPECT_EQ(front->seq(), expected);
    EXPECT_EQ(front->monitors_size(), 2);
    absl::Status acked = spool->Ack(front->seq());
    EXPECT_TRUE(acked.ok()) << acked;
    consumer_ok = front->seq() == expected && acked.ok();
    ++expected;
  }
  producer.join();
  EXPECT_TRUE(consumer_ok);
  EXPECT_FALSE(append_failed);
  EXPECT_EQ(spool->size(), 0u);
  EXPECT_EQ(spool->bytes(), 0u);
  EXPECT_EQ(FileBytes(dir_), 0u);
}

}  // namespace
}  // namespace asgard::agent
