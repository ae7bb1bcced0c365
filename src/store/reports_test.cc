// File: reports_test.cc
// Reports on both backends: stored exactly once per (uuid, seq), monitor samples in the table of
// their UTC month, queries across a month boundary, creation ahead of time and retention.
#include <thread>

#include "store/store_test_fixture.h"

namespace asgard::store {
namespace {

class ReportsTest : public StoreTest {
 protected:
  static MonitorSample Sample(const std::string& uuid, int64_t seq, absl::Time at, double cpu) {
    MonitorSample m;
    m.type = static_cast<int>(TypeCode::kApp);
    m.related_id = 7;
    m.uuid = uuid;
    m.seq = seq;
    m.pid = 4242;
    m.cpu = cpu;
    m.memory = 1024;
    m.threads = 3;
    m.created_at = at;
    return m;
  }
};

TEST_P(ReportsTest, ResentArchivesAreStoredOnce) {
  std::vector<ArchiveRecord> batch;
  for (int i = 0; i < 3; ++i) {
    ArchiveRecord a;
    a.type = static_cast<int>(TypeCode::kJob);
    a.related_id = 70000;  // the original's tinyint stopped at 255
    a.uuid = "run-" + std::to_string(i);
    a.pid = 100 + i;
    a.begin_time = T0();
    a.end_time = T0() + absl::Seconds(5);
    a.status = 255;  // and its tinyint status at 127
    a.signal = i == 2 ? "SIGKILL" : "";
    a.created_at = T0() + absl::Seconds(5);
    batch.push_back(a);
  }
  EXPECT_EQ(store().InsertArchives(batch).value_or(-1), 3);
  EXPECT_EQ(store().InsertArchives(batch).value_or(-1), 0);
  batch[0].seq = 1;  // a new report of run-0
  EXPECT_EQ(store().InsertArchives(batch).value_or(-1), 1);
  ASSERT_OK_AND_ASSIGN(auto stored, store().ListArchives(3, 70000, 100));
  ASSERT_EQ(stored.size(), 4u);
  EXPECT_EQ(stored.back().uuid, "run-0");
  EXPECT_EQ(stored.back().status, 255);
  EXPECT_EQ(stored.back().end_time, T0() + absl::Seconds(5));
  EXPECT_EQ(stored[1].signal, "SIGKILL");
  batch[0].uuid = "";
  EXPECT_TRUE(absl::IsInvalidArgument(store().InsertArchives(batch).status()));
}

TEST_P(ReportsTest, ResentExceptionsAreStoredOnce) {
  ExceptionRecord e{4, 9, "run-x", 0, "exit status 1: can't open '%s'", T0()};
  ExceptionRecord f{4, 9, "run-x", 1, "restart limit", T0()};
  EXPECT_EQ(store().InsertExceptions({e, f}).value_or(-1), 2);
  EXPECT_EQ(store().InsertExceptions({f, e}).value_or(-1), 0);
  ASSERT_OK_AND_ASSIGN(auto stored, store().ListExceptions(10));
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[1].desc, "exit status 1: can't open '%s'");
}

TEST_P(ReportsTest, AReportSaysWhichRecordsAreNew) {
  ArchiveRecord a{3, 5, "run-1", 0, 77, T0(), T0() + absl::Seconds(1), 1, "", T0()};
  ArchiveRecord b = a;
  b.uuid = "run-2";
  ExceptionRecord e{3, 5, "run-1", 0, "start fail: x", T0()};
  FreshRecords fresh;
  ASSERT_OK_AND_ASSIGN(int n, store().InsertReport({a}, {e}, {}, &fresh));
  EXPECT_EQ(n, 2);
  EXPECT_EQ(fresh.archives, std::vector<size_t>{0});
  EXPECT_EQ(fresh.exceptions, std::vector<size_t>{0});
  // Sent again after a lost answer, with one new archive: only that one is new.
  ASSERT_OK_AND_ASSIGN(n, store().InsertReport({a, b}, {e}, {}, &fresh));
  EXPECT_EQ(n, 1);
  EXPECT_EQ(fresh.archives, std::vector<size_t>{1});
  EXPECT_TRUE(fresh.exceptions.empty());
}

TEST_P(ReportsTest, MonitorsGoToTheirUtcMonthAndQueriesSpanTheBoundary) {
  absl::Time jan = Utc(2024, 1, 31, 23, 59, 30);
  absl::Time feb = Utc(2024, 2, 1, 0, 0, 30);
  std::vector<MonitorSample> batch = {Sample("r", 1, jan, 1.5), Sample("r", 2, feb, 2.5),
                                      Sample("r", 3, feb + absl::Seconds(30), 3.5)};
  EXPECT_EQ(store().InsertMonitors(batch).value_or(-1), 3);
  EXPECT_EQ(store().InsertMonitors(batch).value_or(-1), 0);  // re-sent
  ASSERT_OK_AND_ASSIGN(auto tables, store().ListMonitorTables());
  EXPECT_EQ(tables, (std::vector<std::string>{"monitors_202401", "monitors_202402"}));

  absl::Time from = Utc(2024, 1, 31, 23, 0, 0), to = Utc(2024, 2, 1, 1, 0, 0);
  ASSERT_OK_AND_ASSIGN(auto all, store().QueryMonitors(2, 7, from, to, 100));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].created_at, jan);  // oldest first
  EXPECT_DOUBLE_EQ(all[0].cpu, 1.5);
  EXPECT_EQ(all[0].threads, 3);
  EXPECT_EQ(all[2].seq, 3);
  ASSERT_OK_AND_ASSIGN(auto newest, store().QueryMonitors(2, 7, from, to, 2));
  ASSERT_EQ(newest.size(), 2u);
  EXPECT_EQ(newest[0].seq, 2);
  EXPECT_EQ(newest[1].seq, 3);
  ASSERT_OK_AND_ASSIGN(auto other, store().QueryMonitors(2, 8, from, to, 100));
  EXPECT_TRUE(other.empty());
  ASSERT_OK_AND_ASSIGN(auto only_feb, store().QueryMonitors(2, 7, Utc(2024, 2, 1), to, 100));
  EXPECT_EQ(only_feb.size(), 2u);
}

TEST_P(ReportsTest, EnsureMonitorTablesCreatesThisAndNextMonth) {
  ASSERT_OK(store().EnsureMonitorTables(Utc(2024, 12, 31, 23, 0, 0)));
  ASSERT_OK(store().EnsureMonitorTables(Utc(2024, 12, 31, 23, 0, 0)));  // idempotent
  ASSERT_OK_AND_ASSIGN(auto tables, store().ListMonitorTables());
  EXPECT_EQ(tables, (std::vector<std::string>{"monitors_202412", "monitors_202501"}));
}

TEST_P(ReportsTest, RetentionDropsOldMonthsOnly) {
  for (int month = 1; month <= 7; ++month) {
    ASSERT_OK(store().InsertMonitors({Sample("r", month, Utc(2024, month, 15), 1)}).status());
  }
  ASSERT_OK_AND_ASSIGN(auto dropped, store().DropMonitorTablesOlderThan(3, Utc(2024, 6, 15)));
  EXPECT_EQ(dropped,
            (std::vector<std::string>{"monitors_202401", "monitors_202402", "monitors_202403"}));
  ASSERT_OK_AND_ASSIGN(auto tables, store().ListMonitorTables());
  EXPECT_EQ(tables, (std::vector<std::string>{"monitors_202404", "monitors_202405",
                                              "monitors_202406", "monitors_202407"}));
  ASSERT_OK_AND_ASSIGN(auto none, store().DropMonitorTablesOlderThan(0, Utc(2024, 6, 15)));
  EXPECT_TRUE(none.empty());
}

TEST_P(ReportsTest, OneStoreServesSeveralThreads) {
  Agent agent = AddAgent();
  std::vector<std::thread> threads;
  std::vector<int> stored(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        ArchiveRecord a;
        a.uuid = "thread-" + std::to_string(t);
        a.seq = i;
        stored[t] += store().InsertArchives({a, a}).value_or(0);  // each one twice
        (void)store().Heartbeat(agent.id, T0() + absl::Seconds(i));
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int n : stored) EXPECT_EQ(n, 10);
  ASSERT_OK_AND_ASSIGN(auto all, store().ListArchives(0, 0, 1000));
  EXPECT_EQ(all.size(), 40u);
}

ASGARD_INSTANTIATE_BACKENDS(ReportsTest);

}  // namespace
}  // namespace asgard::store
