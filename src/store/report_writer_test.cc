// File: report_writer_test.cc
// Reports written together (report_writer.h), on both backends: each stored exactly once by
// (uuid, seq) whatever else shares its transaction, each told which of its records are new, and
// one report the database refuses fails alone.
#include "store/report_writer.h"

#include <thread>

#include "store/monitor_tables.h"
#include "store/schema.h"
#include "store/store_test_fixture.h"

namespace asgard::store {
namespace {

// The records of one report of one agent's stream: an archive, an exception and `samples`
// monitor samples of apps 1..samples, as master/report_convert.cc numbers them.
struct Report {
  std::vector<ArchiveRecord> archives;
  std::vector<ExceptionRecord> exceptions;
  std::vector<MonitorSample> monitors;
};

Report MakeReport(const std::string& stream, int64_t seq, int samples, absl::Time at) {
  Report r;
  const int64_t base = seq * 1000000;
  ArchiveRecord& a = r.archives.emplace_back();
  a.type = 2;
  a.related_id = 1;
  a.uuid = stream + "-run";
  a.seq = base;
  a.pid = 77;
  a.begin_time = at - absl::Seconds(9);
  a.end_time = a.created_at = at;
  ExceptionRecord& e = r.exceptions.emplace_back();
  e.type = 2;
  e.related_id = 1;
  e.uuid = stream + "-run";
  e.seq = base;
  e.desc = "exit status 1";
  e.created_at = at;
  for (int i = 0; i < samples; ++i) {
    MonitorSample& m = r.monitors.emplace_back();
    m.type = 2;
    m.related_id = i + 1;
    m.uuid = stream + "-app-" + std::to_string(i);
    m.seq = base + i;
    m.pid = 100 + i;
    m.cpu = 0.5 * i;
    m.memory = 10.0 + i;
    m.threads = 2;
    m.created_at = at;
  }
  return r;
}

internal::ReportToWrite ToWrite(const Report& r) {
  internal::ReportToWrite w;
  w.archives = &r.archives;
  w.exceptions = &r.exceptions;
  w.monitors = &r.monitors;
  return w;
}

class ReportWriterTest : public StoreTest {
 protected:
  // The samples stored for app `id` in T0's month.
  size_t SamplesOf(int64_t id) {
    auto rows = store().QueryMonitors(2, id, T0() - absl::Hours(1), T0() + absl::Hours(1), 1000);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() ? rows->size() : 0;
  }
};

TEST_P(ReportWriterTest, ABatchWithAResentReportSaysWhatIsNewInEach) {
  ASSERT_OK(store().EnsureMonitorTables(T0()));
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Connect());
  Report a = MakeReport("agent-a", 1, 3, T0()), b = MakeReport("agent-b", 1, 3, T0());
  internal::ReportToWrite first = ToWrite(a);
  internal::WriteReports(*conn, {&first});
  ASSERT_OK(first.status);
  EXPECT_EQ(first.inserted, 5);
  // a's report again (its ack was lost), between b's and a second copy of b's sent at once.
  internal::ReportToWrite b1 = ToWrite(b), again = ToWrite(a), b2 = ToWrite(b);
  internal::WriteReports(*conn, {&b1, &again, &b2});
  for (auto* w : {&b1, &again, &b2}) {
    EXPECT_TRUE(w->written);
    ASSERT_OK(w->status);
  }
  EXPECT_EQ(b1.inserted, 5);
  EXPECT_EQ(b1.fresh.archives, std::vector<size_t>{0});
  EXPECT_EQ(b1.fresh.exceptions, std::vector<size_t>{0});
  EXPECT_EQ(again.inserted, 0);
  EXPECT_TRUE(again.fresh.archives.empty() && again.fresh.exceptions.empty());
  EXPECT_EQ(b2.inserted, 0);
  EXPECT_TRUE(b2.fresh.archives.empty() && b2.fresh.exceptions.empty());
  EXPECT_EQ(SamplesOf(1), 2u);  // one per stream
  ASSERT_OK_AND_ASSIGN(auto archives, store().ListArchives(2, 1, 100));
  EXPECT_EQ(archives.size(), 2u);
}

TEST_P(ReportWriterTest, AReportTheDatabaseRefusesFailsAlone) {
  ASSERT_OK(store().EnsureMonitorTables(T0()));
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Connect());
  Report good1 = MakeReport("good-1", 1, 4, T0()), good2 = MakeReport("good-2", 1, 4, T0());
  // Samples of a month whose table does not exist (the store creates it before writing; here
  // nobody did): the database refuses the statement.
  Report bad = MakeReport("bad", 1, 4, Utc(2019, 3, 1));
  internal::ReportToWrite w1 = ToWrite(good1), wb = ToWrite(bad), w2 = ToWrite(good2);
  internal::WriteReports(*conn, {&w1, &wb, &w2});
  ASSERT_TRUE(w1.written && wb.written && w2.written);
  ASSERT_OK(w1.status);
  ASSERT_OK(w2.status);
  EXPECT_FALSE(wb.status.ok());
  EXPECT_EQ(w1.inserted, 6);
  EXPECT_EQ(w2.fresh.archives, std::vector<size_t>{0});
  ASSERT_OK_AND_ASSIGN(auto archives, store().ListArchives(2, 1, 100));
  EXPECT_EQ(archives.size(), 2u);  // not the refused report's: it was stored whole or not at all
  EXPECT_EQ(SamplesOf(4), 2u);
}

TEST_P(ReportWriterTest, ReportsSentAtOnceAreEachStoredOnce) {
  // Eight senders; senders 2k and 2k+1 send the same 20 reports at the same time, as an agent
  // that re-sends a report whose ack it has not seen yet.
  constexpr int kSenders = 8, kReports = 20, kSamples = 30;
  std::vector<std::vector<Report>> reports(kSenders / 2);
  for (int s = 0; s < kSenders / 2; ++s) {
    for (int i = 0; i < kReports; ++i) {
      reports[s].push_back(MakeReport("stream-" + std::to_string(s), i + 1, kSamples, T0()));
    }
  }
  std::vector<std::vector<int>> inserted(kSenders, std::vector<int>(kReports, -1));
  std::vector<std::vector<size_t>> fresh_archives(kSenders, std::vector<size_t>(kReports, 0));
  std::vector<std::thread> senders;
  for (int t = 0; t < kSenders; ++t) {
    senders.emplace_back([&, t] {
      for (int i = 0; i < kReports; ++i) {
        const Report& r = reports[t / 2][i];
        FreshRecords fresh;
        auto n = store().InsertReport(r.archives, r.exceptions, r.monitors, &fresh);
        inserted[t][i] = n.value_or(-1);
        fresh_archives[t][i] = fresh.archives.size();
      }
    });
  }
  for (auto& th : senders) th.join();
  for (int s = 0; s < kSenders / 2; ++s) {
    for (int i = 0; i < kReports; ++i) {
      // Between the two sends: every record once, the archive new for exactly one of them.
      EXPECT_EQ(inserted[2 * s][i] + inserted[2 * s + 1][i], 2 + kSamples) << s << " " << i;
      EXPECT_EQ(fresh_archives[2 * s][i] + fresh_archives[2 * s + 1][i], 1u) << s << " " << i;
    }
  }
  for (int app = 1; app <= kSamples; ++app) {
    EXPECT_EQ(SamplesOf(app), static_cast<size_t>(kSenders / 2 * kReports)) << app;
  }
  ASSERT_OK_AND_ASSIGN(auto exceptions, store().ListExceptions(1000));
  EXPECT_EQ(exceptions.size(), static_cast<size_t>(kSenders / 2 * kReports));
}

TEST_P(ReportWriterTest, StatementsOfAFewSizesWriteAnyNumberOfSamples) {
  // 1000 = 512 + 256 + 128 + 64 + 32 + 8: six statements, every row once.
  Report big = MakeReport("big", 1, 1000, T0());
  ASSERT_OK_AND_ASSIGN(int n, store().InsertReport(big.archives, big.exceptions, big.monitors));
  EXPECT_EQ(n, 1002);
  ASSERT_OK_AND_ASSIGN(n, store().InsertReport(big.archives, big.exceptions, big.monitors));
  EXPECT_EQ(n, 0);
  EXPECT_EQ(SamplesOf(1000), 1u);
  EXPECT_EQ(SamplesOf(1), 1u);
}

ASGARD_INSTANTIATE_BACKENDS(ReportWriterTest);

}  // namespace
}  // namespace asgard::store
