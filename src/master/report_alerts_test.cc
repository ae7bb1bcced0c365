#include "master/report_alerts.h"

#include "gtest/gtest.h"

namespace asgard::master {
namespace {

v1::ReportBatch Batch() {
  v1::ReportBatch batch;
  batch.set_agent_id(3);
  batch.set_stream_uuid("stream-1");
  batch.set_seq(1);
  auto add_archive = [&](v1::TaskKind kind, int64_t id, const std::string& uuid, int status,
                         const std::string& signal) {
    v1::RunArchive* a = batch.add_archives();
    a->mutable_ref()->set_kind(kind);
    a->mutable_ref()->set_id(id);
    a->set_uuid(uuid);
    a->set_status(status);
    a->set_signal(signal);
    a->set_end_time(1'700'000'000);
  };
  add_archive(v1::TASK_KIND_APP, 1, "ok-run", 0, "");
  add_archive(v1::TASK_KIND_APP, 2, "bad-run", 3, "");
  add_archive(v1::TASK_KIND_JOB, 4, "paused-run", -2, "kill");
  add_archive(v1::TASK_KIND_TIMING, 5, "killed-run", -1, "killed");
  auto add_exception = [&](int64_t id, const std::string& uuid, const std::string& desc) {
    v1::RunException* e = batch.add_exceptions();
    e->mutable_ref()->set_kind(v1::TASK_KIND_JOB);
    e->mutable_ref()->set_id(id);
    e->set_uuid(uuid);
    e->set_desc(desc);
  };
  add_exception(6, "", "start fail: no such file");
  add_exception(7, "r7", "finished unseccessed with status: 1");
  return batch;
}

TEST(ReportAlerts, FailuresAmongTheNewRecordsOnly) {
  v1::ReportBatch batch = Batch();
  auto rows = ToReportRows(batch, 3, absl::FromUnixSeconds(1'700'000'100));
  ASSERT_TRUE(rows.ok());
  store::FreshRecords fresh{{0, 1, 2, 3}, {0, 1}};
  auto alerts = ReportAlerts(batch, *rows, fresh);
  ASSERT_EQ(alerts.size(), 3u);
  EXPECT_EQ(alerts[0].kind, "app");
  EXPECT_EQ(alerts[0].id, 2);
  EXPECT_EQ(alerts[0].run_uuid, "bad-run");
  EXPECT_EQ(alerts[0].reason, "exited with status 3");
  EXPECT_EQ(alerts[1].kind, "timing");
  EXPECT_EQ(alerts[1].reason, "killed by signal: killed");
  EXPECT_EQ(alerts[2].kind, "job");
  EXPECT_EQ(alerts[2].id, 6);
  // Stored under the stream's uuid, but the alert is about no run: not merged with others.
  EXPECT_EQ(alerts[2].run_uuid, "");
  EXPECT_EQ(alerts[2].reason, "start fail: no such file");

  store::FreshRecords resent{{0, 2}, {}};  // the failing archive was stored before
  EXPECT_TRUE(ReportAlerts(batch, *rows, resent).empty());
}

TEST(OfflineAlert, NamesTheSilence) {
  auto alert = OfflineAlert(9, absl::Seconds(7), absl::FromUnixSeconds(1));
  EXPECT_EQ(alert.kind, "agent");
  EXPECT_EQ(alert.id, 9);
  EXPECT_EQ(alert.reason, "offline: no heartbeat for 7s; its tasks' state is unknown");
}

}  // namespace
}  // namespace asgard::master
