#include "process/spawn.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "common/unique_fd.h"
#include "gtest/gtest.h"
#include "process/clone_into_cgroup.h"

namespace asgard::process {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Where cgroup2 is mounted, or "" (from /proc/self/mountinfo, as containment.cc reads it).
std::string Cgroup2Mount() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    auto sep = line.find(" - ");
    if (sep == std::string::npos || line.compare(sep + 3, 8, "cgroup2 ") != 0) continue;
    std::istringstream fields(line.substr(0, sep));
    std::string id, parent, devs, root, mount;
    fields >> id >> parent >> devs >> root >> mount;
    return mount;
  }
  return "";
}

// The cgroup v2 path of `pid` ("/a/b"), from /proc/PID/cgroup.
std::string CgroupOf(pid_t pid) {
  std::istringstream lines(Slurp("/proc/" + std::to_string(pid) + "/cgroup"));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  }
  return "";
}

// A throw-away cgroup "run" under our own, like the ones Containment makes per run.
class SpawnTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dev_null_.reset(open("/dev/null", O_RDWR | O_CLOEXEC));
    ASSERT_TRUE(dev_null_.valid());
    std::string mount = Cgroup2Mount();
    if (geteuid() != 0 || mount.empty()) return;  // the cgroup tests skip; see RequireCgroup
    std::string own = CgroupOf(getpid());
    relative_ = (own == "/" ? "" : own) + "/asgard-spawn-test-" + std::to_string(getpid());
    parent_ = mount + relative_;
    ASSERT_EQ(mkdir(parent_.c_str(), 0755), 0) << parent_ << ": " << strerror(errno);
    ASSERT_EQ(mkdir((parent_ + "/run").c_str(), 0755), 0) << strerror(errno);
    cgroup_.reset(open((parent_ + "/run").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(cgroup_.valid());
  }

  void TearDown() override {
    if (parent_.empty()) return;
    EXPECT_EQ(rmdir((parent_ + "/run").c_str()), 0) << strerror(errno);
    EXPECT_EQ(rmdir(parent_.c_str()), 0) << strerror(errno);
  }

  // Only a developer's run without root (or without cgroup2) skips: CI runs as root on
  // machines with cgroup2, and a writable one that refuses us fails in SetUp.
  bool RequireCgroup() {
    if (cgroup_.valid()) return true;
    const char* ci = getenv("CI");
    if (ci && std::string(ci) == "true") ADD_FAILURE() << "CI runs as root with cgroup2";
    return false;
  }

  SpawnPlan Sleeper() {
    SpawnPlan plan;
    plan.path = "/bin/sleep";
    plan.argv = {"sleep", "30"};
    plan.stdin_fd = plan.stdout_fd = plan.stderr_fd = dev_null_.get();
    return plan;
  }

  // Kills and reaps `pid`.
  static void Stop(pid_t pid) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }

  UniqueFd dev_null_;
  UniqueFd cgroup_;
  std::string parent_;    // absolute directory of the test's cgroup
  std::string relative_;  // the same, as /proc/PID/cgroup names it
};

TEST_F(SpawnTest, ARunStartsInsideItsCgroup) {
  if (!RequireCgroup()) GTEST_SKIP() << "needs root and cgroup2";
  SpawnPlan plan = Sleeper();
  plan.cgroup_fd = cgroup_.get();
  auto spawned = SpawnProcess(plan);
  ASSERT_TRUE(spawned.ok()) << spawned.status();
  EXPECT_EQ(CgroupOf(spawned->pid), relative_ + "/run");
#if defined(__x86_64__)
  // Linux 5.7+ on x86-64 (every machine we ship to): no migration at all.
  EXPECT_EQ(spawned->path, SpawnPath::kIntoCgroup) << strerror(spawned->clone3_error);
  EXPECT_EQ(spawned->clone3_error, 0);
#endif
  Stop(spawned->pid);
}

TEST_F(SpawnTest, WithoutCloneIntoCgroupTheChildJoinsBeforeExec) {
  if (!RequireCgroup()) GTEST_SKIP() << "needs root and cgroup2";
  SpawnPlan plan = Sleeper();
  plan.cgroup_fd = cgroup_.get();
  plan.clone_into_cgroup = false;  // what a kernel before 5.7 leaves us
  auto spawned = SpawnProcess(plan);
  ASSERT_TRUE(spawned.ok()) << spawned.status();
  EXPECT_EQ(spawned->path, SpawnPath::kJoinCgroup);
  EXPECT_EQ(CgroupOf(spawned->pid), relative_ + "/run");
  Stop(spawned->pid);
}

TEST_F(SpawnTest, ACgroupThatRefusesTheRunFailsTheSpawnAndSaysSo) {
  if (!RequireCgroup()) GTEST_SKIP() << "needs root and cgroup2";
  // Removed after it was opened: clone3 answers ENODEV, and the join cannot open cgroup.procs.
  ASSERT_EQ(rmdir((parent_ + "/run").c_str()), 0) << strerror(errno);
  SpawnPlan plan = Sleeper();
  plan.cgroup_fd = cgroup_.get();
  auto spawned = SpawnProcess(plan);
  EXPECT_FALSE(spawned.ok());
  EXPECT_NE(std::string(spawned.status().message()).find("cgroup"), std::string::npos)
      << spawned.status();
  ASSERT_EQ(mkdir((parent_ + "/run").c_str(), 0755), 0);  // for TearDown
}

TEST_F(SpawnTest, WithoutACgroupTheRunStaysInOurs) {
  SpawnPlan plan = Sleeper();
  auto spawned = SpawnProcess(plan);
  ASSERT_TRUE(spawned.ok()) << spawned.status();
  EXPECT_EQ(spawned->path, SpawnPath::kNoCgroup);
  EXPECT_EQ(CgroupOf(spawned->pid), CgroupOf(getpid()));
  Stop(spawned->pid);
}

TEST_F(SpawnTest, AChildThatFailsBeforeExecSaysWhichStepOnEitherPath) {
  for (bool into : {true, false}) {
    SpawnPlan plan = Sleeper();
    plan.cgroup_fd = cgroup_.valid() ? cgroup_.get() : -1;
    plan.clone_into_cgroup = into;
    plan.dir = "/nonexistent-asgard-dir";
    auto spawned = SpawnProcess(plan);
    ASSERT_FALSE(spawned.ok());
    EXPECT_EQ(spawned.status().message(),
              "chdir /nonexistent-asgard-dir: No such file or directory");
    plan.dir = "";
    plan.path = "/nonexistent-asgard-program";
    spawned = SpawnProcess(plan);
    ASSERT_FALSE(spawned.ok());
    EXPECT_EQ(spawned.status().message(),
              "exec /nonexistent-asgard-program: No such file or directory");
    while (waitpid(-1, nullptr, 0) > 0) {  // the failed children, so the cgroup can go
    }
  }
}

TEST_F(SpawnTest, ArgvAndEnvironmentReachTheProgramOnTheClone3Path) {
  if (!RequireCgroup()) GTEST_SKIP() << "needs root and cgroup2";
  char tmpl[] = "/tmp/asgard-spawn-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  UniqueFd out(open((dir + "/out").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
  SpawnPlan plan = Sleeper();
  plan.path = "/bin/sh";
  plan.argv = {"sh", "-c", "echo \"$1 $GREETING\"", "sh", "hello"};
  plan.env = {"GREETING=world"};
  plan.stdout_fd = out.get();
  plan.cgroup_fd = cgroup_.get();
  auto spawned = SpawnProcess(plan);
  ASSERT_TRUE(spawned.ok()) << spawned.status();
  int status = 0;
  ASSERT_EQ(waitpid(spawned->pid, &status, 0), spawned->pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(Slurp(dir + "/out"), "hello world\n");
  unlink((dir + "/out").c_str());
  rmdir(dir.c_str());
}

}  // namespace
}  // namespace asgard::process
