#include "runtime/fired_file.h"

#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace asgard::runtime {
namespace {

std::string TempFile() {
  char tmpl[] = "/tmp/asgard-fired-XXXXXX";
  return std::string(mkdtemp(tmpl)) + "/timings.fired";
}

WallTime At(int64_t s) { return std::chrono::system_clock::from_time_t(s); }

TEST(FiredFile, RemembersAcrossReopen) {
  std::string path = TempFile();
  {
    auto f = FiredFile::Open(path);
    ASSERT_TRUE(f.ok()) << f.status();
    EXPECT_FALSE((*f)->WasFired("backup", At(100)));
    ASSERT_TRUE((*f)->MarkFired("backup", At(100)).ok());
    ASSERT_TRUE((*f)->MarkFired("名字 with spaces", At(200)).ok());
  }
  auto f = FiredFile::Open(path);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE((*f)->WasFired("backup", At(100)));
  EXPECT_FALSE((*f)->WasFired("backup", At(101)));
  EXPECT_TRUE((*f)->WasFired("名字 with spaces", At(200)));
}

TEST(FiredFile, CompactKeepsOnlyConfiguredTimings) {
  std::string path = TempFile();
  auto f = FiredFile::Open(path);
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE((*f)->MarkFired("a", At(1)).ok());
  ASSERT_TRUE((*f)->MarkFired("b", At(2)).ok());
  ASSERT_TRUE((*f)->Compact({{"b", 2}}).ok());
  EXPECT_FALSE((*f)->WasFired("a", At(1)));
  EXPECT_TRUE((*f)->WasFired("b", At(2)));
  ASSERT_TRUE((*f)->MarkFired("c", At(3)).ok());
  auto again = FiredFile::Open(path);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE((*again)->WasFired("a", At(1)));
  EXPECT_TRUE((*again)->WasFired("b", At(2)));
  EXPECT_TRUE((*again)->WasFired("c", At(3)));
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A damaged file may have lost the record of a timing that ran: such a timing (due before the
// damage was found) must not run again, at this start or a later one.
TEST(FiredFile, DamageMakesEarlierUnlistedTimingsUnknownAcrossRestarts) {
  std::string path = TempFile();
  std::ofstream(path) << "100 listed\n\x01\x02garbage\n300 also listed\n40";  // torn last line
  auto f = FiredFile::Open(path, At(1000));
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_TRUE((*f)->WasFired("listed", At(100)));
  EXPECT_TRUE((*f)->WasFired("also listed", At(300)));
  EXPECT_FALSE((*f)->FiredStateUnknown("listed", At(100)).has_value()) << "it did fire";
  std::optional<std::string> why = (*f)->FiredStateUnknown("lost", At(500));
  ASSERT_TRUE(why.has_value());
  EXPECT_NE(why->find(path + " was found damaged at "), std::string::npos) << *why;
  EXPECT_FALSE((*f)->FiredStateUnknown("later", At(1001)).has_value());
  EXPECT_NE(Slurp(path + ".corrupt").find("garbage"), std::string::npos) << "kept for a human";

  ASSERT_TRUE((*f)->Compact({{"listed", 100}}).ok());  // as `asgard cron` does at start
  auto again = FiredFile::Open(path, At(2000));
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE((*again)->WasFired("listed", At(100)));
  EXPECT_TRUE((*again)->FiredStateUnknown("lost", At(500)).has_value());
  EXPECT_FALSE((*again)->FiredStateUnknown("later", At(1500)).has_value())
      << "fired after the damage was found: it would be listed";
}

TEST(FiredFile, AnIntactFileLeavesNothingUnknown) {
  std::string path = TempFile();
  std::ofstream(path) << "100 a\n";
  auto f = FiredFile::Open(path, At(1000));
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_FALSE((*f)->FiredStateUnknown("b", At(500)).has_value());
}

TEST(FiredFile, UnwritablePathIsAnError) {
  EXPECT_FALSE(FiredFile::Open("/proc/no-such-dir/timings.fired").ok());
}

}  // namespace
}  // namespace asgard::runtime
