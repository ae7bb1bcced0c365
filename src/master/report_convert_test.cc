#include "master/report_convert.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace asgard::master {
namespace {

using ::testing::HasSubstr;

v1::ReportBatch Batch(int64_t seq) {
  v1::ReportBatch b;
  b.set_agent_id(7);
  b.set_stream_uuid("stream-1");
  b.set_seq(seq);
  return b;
}

TEST(ToReportRowsTest, IdentityIsStableAcrossResendsAndDistinctAcrossBatches) {
  v1::ReportBatch b = Batch(3);
  auto* a = b.add_archives();
  a->mutable_ref()->set_kind(v1::TASK_KIND_APP);
  a->mutable_ref()->set_id(11);
  a->set_uuid("run-1");
  a->set_status(-1);
  a->set_signal("killed");
  a->set_begin_time(1000);
  a->set_end_time(2000);
  b.add_exceptions()->set_desc("restart reach max limited");  // no run, no task
  auto first = ToReportRows(b, 7, absl::FromUnixSeconds(5000));
  auto again = ToReportRows(b, 7, absl::FromUnixSeconds(9000));
  ASSERT_TRUE(first.ok() && again.ok());
  ASSERT_EQ(first->archives.size(), 1u);
  EXPECT_EQ(first->archives[0].uuid, "run-1");
  EXPECT_EQ(first->archives[0].seq, again->archives[0].seq);
  EXPECT_EQ(first->archives[0].type, 2);
  EXPECT_EQ(first->archives[0].related_id, 11);
  EXPECT_EQ(first->archives[0].status, -1);
  EXPECT_EQ(first->archives[0].begin_time, absl::FromUnixSeconds(1000));
  EXPECT_EQ(first->archives[0].end_time, absl::FromUnixSeconds(2000));
  ASSERT_EQ(first->exceptions.size(), 1u);
  EXPECT_EQ(first->exceptions[0].uuid, "stream-1");  // no run: the stream's identity
  EXPECT_EQ(first->exceptions[0].type, 1);          // no task: the agent's
  EXPECT_EQ(first->exceptions[0].related_id, 7);

  v1::ReportBatch next = b;
  next.set_seq(4);
  auto later = ToReportRows(next, 7, absl::FromUnixSeconds(5000));
  ASSERT_TRUE(later.ok());
  EXPECT_NE(later->exceptions[0].seq, first->exceptions[0].seq);
}

TEST(ToReportRowsTest, ItemsOfOneBatchGetDistinctSeqs) {
  v1::ReportBatch b = Batch(1);
  for (int i = 0; i < 3; ++i) {
    auto* m = b.add_monitors();
    m->mutable_ref()->set_kind(v1::TASK_KIND_JOB);
    m->mutable_ref()->set_id(5);
    m->set_uuid("run-x");
    m->set_cpu(12.5);
    m->set_memory(30);
    m->set_time(1700000000 + i);
  }
  auto rows = ToReportRows(b, 7, absl::Now());
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->monitors.size(), 3u);
  EXPECT_NE(rows->monitors[0].seq, rows->monitors[1].seq);
  EXPECT_NE(rows->monitors[1].seq, rows->monitors[2].seq);
  EXPECT_EQ(rows->monitors[2].created_at, absl::FromUnixSeconds(1700000002));
  EXPECT_EQ(rows->monitors[0].type, 3);
  EXPECT_DOUBLE_EQ(rows->monitors[0].cpu, 12.5);
}

TEST(ToReportRowsTest, BadBatchesNameTheField) {
  v1::ReportBatch no_stream = Batch(1);
  no_stream.clear_stream_uuid();
  auto r = ToReportRows(no_stream, 7, absl::Now());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("stream_uuid"));
  auto s = ToReportRows(Batch(0), 7, absl::Now());
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("seq"));
}

TEST(ToObservedReportsTest, SkipsUnknownKindsAndKeepsLastExit) {
  google::protobuf::RepeatedPtrField<v1::TaskObserved> tasks;
  auto* ok = tasks.Add();
  ok->mutable_ref()->set_kind(v1::TASK_KIND_APP);
  ok->mutable_ref()->set_id(3);
  ok->set_state("running");
  ok->set_pid(123);
  ok->set_has_last_exit(true);
  ok->set_last_exit_status(-1);
  ok->set_last_exit_signal("killed");
  ok->set_last_exit_at(1700000000);
  tasks.Add()->set_state("running");  // no kind
  auto reports = ToObservedReports(tasks);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].id, 3);
  EXPECT_EQ(reports[0].observed.pid, 123);
  EXPECT_EQ(reports[0].observed.last_exit_status, -1);
  EXPECT_EQ(reports[0].observed.last_exit_at, absl::FromUnixSeconds(1700000000));
}

}  // namespace
}  // namespace asgard::master
