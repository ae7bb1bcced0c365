// Zone names: only names of the tz database reach the zone loader (a path, a FIFO or an endless
// stream of made-up names never does).
#include "sched/zone_names.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <future>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "sched/cron_schedule.h"
#include "sched/time_format.h"

namespace asgard::sched {
namespace {

constexpr char kTzdataZi[] =
    "# version 2025b\n"
    "R d 1916 o - Jun 14 23s 1 S\n"
    "Z Asia/Shanghai 8:5:43 - LMT 1901\n"
    "8 Sh C%sT\n"
    "Z Etc/UTC 0 - UTC\n"
    "L Etc/UTC UTC\n"
    "L Asia/Shanghai PRC\n";

TEST(ZoneNames, ListsZonesAndLinksOfTzdataZi) {
  ZoneNames names = ZoneNames::Parse(kTzdataZi);
  EXPECT_TRUE(names.Contains("Asia/Shanghai"));
  EXPECT_TRUE(names.Contains("PRC"));
  EXPECT_TRUE(names.Contains("Etc/UTC"));
  EXPECT_FALSE(names.Contains("d"));   // a rule's name, not a zone
  EXPECT_FALSE(names.Contains("Sh"));  // continuation line
  EXPECT_FALSE(names.Contains("asia/shanghai"));
  EXPECT_EQ(names.size(), 4u);
}

TEST(ZoneNames, HostListHasTheUsualZones) {
  const ZoneNames& host = HostZoneNames();
  ASSERT_GT(host.size(), 300u) << HostZoneListPath();
  for (const char* name : {"Asia/Shanghai", "America/New_York", "Europe/Berlin", "Etc/UTC",
                           "Etc/GMT+5", "US/Eastern"}) {
    EXPECT_TRUE(host.Contains(name)) << name;
    EXPECT_TRUE(LoadZone(name).ok()) << name;
  }
  EXPECT_TRUE(LoadZone("UTC").ok());
  EXPECT_TRUE(LoadZone("Local").ok());
}

TEST(LoadZone, RefusesANameTheListLacksEvenWhenItsFileExists) {
  ZoneNames names = ZoneNames::Parse(kTzdataZi);
  EXPECT_TRUE(LoadZone("Asia/Shanghai", names).ok());
  absl::StatusOr<absl::TimeZone> zone = LoadZone("Europe/Berlin", names);
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(zone.status().message().find("unknown time zone 'Europe/Berlin'"), std::string::npos);
  EXPECT_FALSE(LoadZone("/usr/share/zoneinfo/Asia/Shanghai").ok());
  EXPECT_FALSE(LoadZone("Asia/../Asia/Shanghai").ok());
  EXPECT_FALSE(LoadZone("").ok());
}

TEST(LoadZone, QuotesAHugeNameShortened) {
  absl::StatusOr<absl::TimeZone> zone = LoadZone(std::string(1 << 20, 'x'));
  ASSERT_FALSE(zone.ok());
  EXPECT_LT(zone.status().message().size(), 400u);
  EXPECT_NE(zone.status().message().find("1048576 bytes"), std::string::npos);
}

// A FIFO in a fresh directory; removed at the end.
class Fifo {
 public:
  Fifo() {
    char dir[] = "/tmp/asgard-zone-XXXXXX";
    dir_ = mkdtemp(dir);
    path_ = dir_ + "/zone";
    EXPECT_EQ(mkfifo(path_.c_str(), 0600), 0);
  }
  ~Fifo() {
    Unblock();
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }
  const std::string& path() const { return path_; }
  // A reader blocked in open() returns once a writer opens and closes (no writer, no effect).
  void Unblock() {
    int fd = open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0) close(fd);
  }

 private:
  std::string dir_;
  std::string path_;
};

TEST(CronScheduleZone, AFifoAsCronTzIsRefusedWithoutBlocking) {
  Fifo fifo;
  std::packaged_task<absl::Status()> parse([&fifo] {
    return CronSchedule::Parse(absl::StrCat("CRON_TZ=", fifo.path(), " 0 * * * *")).status();
  });
  std::future<absl::Status> done = parse.get_future();
  std::thread parser(std::move(parse));
  const bool finished = done.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
  if (!finished) fifo.Unblock();  // today's code: stuck opening the FIFO
  parser.join();
  EXPECT_TRUE(finished) << "parsing a spec with a FIFO as CRON_TZ blocked";
  absl::Status status = done.get();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
}

size_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

TEST(CronScheduleZone, DistinctUnknownZonesDoNotGrowMemory) {
  // absl keeps every name it was asked to load, found or not, for the life of the process
  // (today's code grows by about 28 MiB here).
  const size_t before = ResidentBytes();
  for (int i = 0; i < 200000; ++i) {
    EXPECT_FALSE(
        CronSchedule::Parse(absl::StrCat("CRON_TZ=Nowhere/Zone", i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
                                         " 0 * * * *"))
            .ok());
  }
  const size_t grown = ResidentBytes() - std::min(before, ResidentBytes());
  EXPECT_LT(grown, size_t{8} << 20) << "grew by " << grown << " bytes";
}

}  // namespace
}  // namespace asgard::sched
