#include "standalone/fired_file.h"

#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace asgard::standalone {
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

TEST(FiredFile, UnwritablePathIsAnError) {
  EXPECT_FALSE(FiredFile::Open("/proc/no-such-dir/timings.fired").ok());
}

}  // namespace
}  // namespace asgard::standalone
