#include "process/posix_launcher.h"

#include <signal.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "gtest/gtest.h"

namespace asgard::process {
namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool Alive(pid_t pid) { return kill(pid, 0) == 0; }

class PosixLauncherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/asgard-launch-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto loop = EventLoop::Create();
    ASSERT_TRUE(loop.ok());
    loop_ = std::move(*loop);
    auto launcher = PosixLauncher::Create(*loop_, "test");
    ASSERT_TRUE(launcher.ok()) << launcher.status();
    launcher_ = std::move(*launcher);
  }

  ProcessSpec Shell(const std::string& script) {
    ProcessSpec spec;
    spec.name = "t";
    spec.program = "/bin/sh";
    spec.args = "-c '" + script + "'";
    spec.std_out = dir_ + "/out.log";
    spec.std_err = dir_ + "/err.log";
    return spec;
  }

  // Runs the loop until `exit` is set or 10 s pass.
  void RunUntilExit(std::optional<ExitInfo>& exit) {
    auto guard = loop_->RunAfter(std::chrono::seconds(10), [&] { loop_->Stop(); });
    while (!exit) {
      loop_->Post([&] {
        if (exit) loop_->Stop();
      });
      loop_->RunAfter(std::chrono::milliseconds(5), [&] { loop_->Stop(); });
      loop_->Run();
      if (loop_->Now() > start_ + std::chrono::seconds(10)) break;
    }
    loop_->Cancel(guard);
  }

  // Lets the loop drain pipes for a moment.
  void Pump(std::chrono::milliseconds d) {
    loop_->RunAfter(d, [&] { loop_->Stop(); });
    loop_->Run();
  }

  std::string dir_;
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<PosixLauncher> launcher_;
  SteadyTime start_ = std::chrono::steady_clock::now();
};

TEST_F(PosixLauncherTest, CapturesStdoutStderrAndExitCode) {
  std::optional<ExitInfo> exit;
  auto run = launcher_->Spawn(Shell("echo out; echo err >&2; exit 7"),
                              [&](const ExitInfo& e) { exit = e; });
  ASSERT_TRUE(run.ok()) << run.status();
  RunUntilExit(exit);
  ASSERT_TRUE(exit.has_value());
  EXPECT_FALSE(exit->signalled);
  EXPECT_EQ(exit->code, 7);
  Pump(std::chrono::milliseconds(20));
  EXPECT_EQ(Slurp(dir_ + "/out.log"), "out\n");
  EXPECT_EQ(Slurp(dir_ + "/err.log"), "err\n");
}

TEST_F(PosixLauncherTest, RunGetsMarkerOwnSessionAndDevNullStdin) {
  std::optional<ExitInfo> exit;
  auto run = launcher_->Spawn(
      Shell("echo $ASGARD_RUN_ID; ps -o sid= -p $$ | tr -d \" \"; echo $$; cat; echo end"),
      [&](const ExitInfo& e) { exit = e; });
  ASSERT_TRUE(run.ok()) << run.status();
  RunUntilExit(exit);
  Pump(std::chrono::milliseconds(20));
  std::istringstream lines(Slurp(dir_ + "/out.log"));
  std::string marker, sid, pid, end;
  std::getline(lines, marker);
  std::getline(lines, sid);
  std::getline(lines, pid);
  std::getline(lines, end);
  EXPECT_EQ(marker, run->run_id);
  EXPECT_EQ(sid, pid);  // session leader of its own session
  EXPECT_EQ(end, "end");
}

TEST_F(PosixLauncherTest, ARunLivesInItsOwnCgroupFromItsFirstInstruction) {
  if (!launcher_->has_cgroups()) {
    const char* ci = getenv("CI");
    if (ci && std::string(ci) == "true") FAIL() << "CI runs as root with a writable cgroup2";
    GTEST_SKIP() << "no writable cgroup v2";
  }
  std::optional<ExitInfo> exit;
  auto run = launcher_->Spawn(Shell("cat /proc/self/cgroup"), [&](const ExitInfo& e) { exit = e; });
  ASSERT_TRUE(run.ok()) << run.status();
  RunUntilExit(exit);
  Pump(std::chrono::milliseconds(20));
  std::string own = "asgard-test-" + std::to_string(getpid()) + "/" + run->run_id + "\n";
  std::string cgroups = Slurp(dir_ + "/out.log");
  EXPECT_NE(cgroups.find(own), std::string::npos) << cgroups;
#if defined(__x86_64__)
  ASSERT_TRUE(launcher_->spawn_path().has_value());
  EXPECT_EQ(*launcher_->spawn_path(), SpawnPath::kIntoCgroup);
#endif
}

TEST_F(PosixLauncherTest, EnvAndDirAreApplied) {
  std::optional<ExitInfo> exit;
  ProcessSpec spec = Shell("echo $GREETING; pwd");
  spec.env["GREETING"] = "ni hao";
  spec.dir = "/tmp";
  auto run = launcher_->Spawn(spec, [&](const ExitInfo& e) { exit = e; });
  ASSERT_TRUE(run.ok());
  RunUntilExit(exit);
  Pump(std::chrono::milliseconds(20));
  EXPECT_EQ(Slurp(dir_ + "/out.log"), "ni hao\n/tmp\n");
}

TEST_F(PosixLauncherTest, MissingProgramAndBadDirAreClearErrors) {
  ProcessSpec spec = Shell("true");
  spec.program = "no-such-program-asgard";
  auto a = launcher_->Spawn(spec, [](const ExitInfo&) {});
  ASSERT_FALSE(a.ok());
  EXPECT_NE(a.status().message().find("not found on PATH"), std::string::npos);
  spec = Shell("true");
  spec.dir = "/nonexistent-asgard-dir";
  auto b = launcher_->Spawn(spec, [](const ExitInfo&) {});
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("chdir /nonexistent-asgard-dir"), std::string::npos)
      << b.status();
  spec = Shell("true");
  spec.user = "no-such-user-asgard";
  EXPECT_FALSE(launcher_->Spawn(spec, [](const ExitInfo&) {}).ok());
}

TEST_F(PosixLauncherTest, SignalReachesEscapedDescendantsAndExitKillsRemains) {
  std::optional<ExitInfo> exit;
  // The grandchild leaves the process group with setsid and keeps running.
  ProcessSpec spec = Shell("setsid sh -c \"echo \\$\\$ > " + dir_ + "/gc.pid; exec sleep 300\" & "
                           "while [ ! -s " + dir_ + "/gc.pid ]; do sleep 0.01; done; exec sleep 300");
  auto run = launcher_->Spawn(spec, [&](const ExitInfo& e) { exit = e; });
  ASSERT_TRUE(run.ok()) << run.status();
  pid_t grandchild = 0;
  for (int i = 0; i < 500 && grandchild == 0; ++i) {
    Pump(std::chrono::milliseconds(10));
    std::string text = Slurp(dir_ + "/gc.pid");
    if (!text.empty() && text.back() == '\n') grandchild = std::stoi(text);
  }
  ASSERT_GT(grandchild, 0);
  ASSERT_TRUE(Alive(grandchild));
  launcher_->Signal(run->run_id, SIGTERM);
  RunUntilExit(exit);
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(exit->signalled);
  for (int i = 0; i < 200 && Alive(grandchild); ++i) Pump(std::chrono::milliseconds(10));
  EXPECT_FALSE(Alive(grandchild)) << "escaped grandchild survived";
}

TEST_F(PosixLauncherTest, ManyRunsLeakNoDescriptors) {
  auto count_fds = [] {
    int n = 0;
    for (int fd = 0; fd < 1024; ++fd) n += fcntl(fd, F_GETFD) != -1;
    return n;
  };
  int before = count_fds();
  for (int i = 0; i < 20; ++i) {
    std::optional<ExitInfo> exit;
    auto run = launcher_->Spawn(Shell("echo x"), [&](const ExitInfo& e) { exit = e; });
    ASSERT_TRUE(run.ok());
    RunUntilExit(exit);
  }
  Pump(std::chrono::milliseconds(50));
  EXPECT_EQ(count_fds(), before);
}

TEST_F(PosixLauncherTest, RunsAsAnotherUserWhenRoot) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  std::optional<ExitInfo> exit;
  ProcessSpec spec = Shell("id -un");
  spec.user = "nobody";
  spec.std_out = "";  // nobody cannot write our temp dir's files? sink is opened by us: fine
  spec.std_out = dir_ + "/who.log";
  auto run = launcher_->Spawn(spec, [&](const ExitInfo& e) { exit = e; });
  ASSERT_TRUE(run.ok()) << run.status();
  RunUntilExit(exit);
  Pump(std::chrono::milliseconds(20));
  EXPECT_EQ(Slurp(dir_ + "/who.log"), "nobody\n");
}

// Issue 9: a normal user's task runs as a uid of its own, with umask 077, its home and a cap
// on its processes (a fork bomb of one user stops at the cap, not at the host's limit).
TEST_F(PosixLauncherTest, RunsAsAnIsolatedUidWithUmaskHomeAndProcessCap) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  ASSERT_EQ(chmod(dir_.c_str(), 0777), 0);  // the uid writes its output here
  std::optional<ExitInfo> exit;
  ProcessSpec spec = Shell(
      "id -u; id -g; id -G; umask; echo $HOME; grep processes /proc/self/limits | tr -s \" \"; "
      "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do sleep 5 & done");
  spec.isolated = IsolatedUser{1900000007, dir_ + "/home", 8};
  auto run = launcher_->Spawn(spec, [&](const ExitInfo& e) { exit = e; });
  ASSERT_TRUE(run.ok()) << run.status();
  RunUntilExit(exit);
  Pump(std::chrono::milliseconds(50));
  std::string out = Slurp(dir_ + "/out.log");
  EXPECT_EQ(out.substr(0, out.find("\n0077")),
            "1900000007\n1900000007\n1900000007") << out;
  EXPECT_NE(out.find("\n0077\n" + dir_ + "/home\nMax processes 8 8 processes"),
            std::string::npos) << out;
  struct stat st {};
  ASSERT_EQ(stat((dir_ + "/out.log").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 1900000007u);  // created with the task's identity
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(Slurp(dir_ + "/err.log").find("fork"), std::string::npos)
      << "the cap did not stop the 9th process: " << Slurp(dir_ + "/err.log");
}

}  // namespace
}  // namespace asgard::process
