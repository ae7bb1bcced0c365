// File: cgroup_spares_test.cc
// Run cgroups made ahead: each taken spare is a fresh run id's cgroup, opened; the helper keeps
// up with a burst of takes; what nobody took is removed with the spares, and a daemon's cgroup
// is left empty behind it. Needs a writable cgroup2 (as root in CI: a missing one fails there).
#include "process/cgroup_spares.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <set>
#include <thread>

#include "gtest/gtest.h"
#include "process/containment.h"

namespace asgard::process {
namespace {

bool IsDir(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The cgroup of a fresh Containment, or a skip (a failure under CI=true) when cgroup2 is not
// writable here.
std::string CgroupBase(Containment& containment) {
  Containment::NewRun probe = containment.StartRun();
  if (!probe.cgroup.valid()) return "";
  char path[64];
  snprintf(path, sizeof(path), "/proc/self/fd/%d", probe.cgroup.get());
  char target[4096] = {};
  ssize_t n = readlink(path, target, sizeof(target) - 1);
  std::string dir(target, n > 0 ? static_cast<size_t>(n) : 0);
  containment.KillRemains(probe.run_id, 0);
  return dir.substr(0, dir.rfind('/'));
}

TEST(CgroupSparesTest, EveryTakenSpareIsAFreshOpenedCgroupAndTheRestGoWithTheSpares) {
  auto containment = Containment::Create("sparetest");
  const std::string base = CgroupBase(*containment);
  if (base.empty()) {
    if (std::getenv("CI")) FAIL() << "cgroup2 is not writable here";
    GTEST_SKIP() << "cgroup2 is not writable here";
  }
  containment.reset();  // its own spares out of the way: this test makes its own under base
  ASSERT_EQ(mkdir(base.c_str(), 0755), 0);
  std::set<std::string> ids;
  {
    CgroupSpares spares(base, 4);
    for (int i = 0; i < 200; ++i) {  // far more than the depth: the helper keeps making them
      std::optional<CgroupSpares::Spare> spare;
      for (int wait = 0; wait < 1000 && !spare; ++wait) {
        spare = spares.Take();
        if (!spare) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      ASSERT_TRUE(spare) << i;
      ASSERT_TRUE(spare->cgroup.valid());
      EXPECT_TRUE(IsDir(base + "/" + spare->run_id)) << spare->run_id;
      EXPECT_TRUE(ids.insert(spare->run_id).second) << "a run id given twice";
      EXPECT_EQ(rmdir((base + "/" + spare->run_id).c_str()), 0);  // what a finished run does
    }
  }
  // The spares nobody took went with the helper: the base is empty again.
  EXPECT_EQ(rmdir(base.c_str()), 0) << "spares were left under " << base;
}

TEST(CgroupSparesTest, ContainmentRunsGetTheirCgroupAndLeaveNothingBehind) {
  auto containment = Containment::Create("sparetest");
  const std::string base = CgroupBase(*containment);
  if (base.empty()) {
    if (std::getenv("CI")) FAIL() << "cgroup2 is not writable here";
    GTEST_SKIP() << "cgroup2 is not writable here";
  }
  std::set<std::string> ids;
  for (int i = 0; i < 50; ++i) {
    Containment::NewRun run = containment->StartRun();
    ASSERT_TRUE(run.cgroup.valid());
    EXPECT_TRUE(IsDir(base + "/" + run.run_id));
    EXPECT_TRUE(ids.insert(run.run_id).second);
    EXPECT_FALSE(containment->KillRemains(run.run_id, 0));
    EXPECT_FALSE(IsDir(base + "/" + run.run_id));
  }
  containment.reset();
  EXPECT_FALSE(IsDir(base)) << "the daemon's cgroup was left: " << base;
}

}  // namespace
}  // namespace asgard::process
