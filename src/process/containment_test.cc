// File: containment_test.cc
// Finding a run's processes without a cgroup: by the ASGARD_RUN_ID entry of their environment,
// for several runs in one /proc scan, whole entries only.
#include "process/containment.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace asgard::process {
namespace {

using ::testing::UnorderedElementsAre;

// A sleeping child whose whole environment is `env`; killed and reaped at the end.
class Sleeper {
 public:
  explicit Sleeper(std::vector<std::string> env) {
    pid_ = fork();
    if (pid_ == 0) {
      std::vector<char*> envp;
      for (std::string& e : env) envp.push_back(e.data());
      envp.push_back(nullptr);
      char* argv[] = {const_cast<char*>("sleep"), const_cast<char*>("30"), nullptr};
      execve("/bin/sleep", argv, envp.data());
      _exit(127);
    }
  }
  ~Sleeper() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// Its environ is readable once it has exec'd.
void WaitForExec(const Sleeper& s) {
  const std::string comm = "/proc/" + std::to_string(s.pid()) + "/comm";
  for (int i = 0; i < 500; ++i) {
    char buf[32] = {};
    FILE* f = fopen(comm.c_str(), "r");
    if (f) {
      size_t n = fread(buf, 1, sizeof(buf) - 1, f);
      fclose(f);
      if (n >= 5 && std::string(buf, 5) == "sleep") return;
    }
    usleep(2000);
  }
}

TEST(FindMarked, FindsEveryMarkedRunInOneScanByWholeEntriesOnly) {
  Sleeper a({"PATH=/bin", "ASGARD_RUN_ID=run-a"});
  Sleeper b({"ASGARD_RUN_ID=run-b", "HOME=/"});
  Sleeper longer({"ASGARD_RUN_ID=run-a2"});           // another run whose id starts alike
  Sleeper inside({"XASGARD_RUN_ID=run-a"});           // the marker inside another entry
  Sleeper value({"NOTE=ASGARD_RUN_ID=run-b"});        // ... or inside a value
  Sleeper other({"ASGARD_RUN_ID=run-c"});
  for (const Sleeper* s : {&a, &b, &longer, &inside, &value, &other}) WaitForExec(*s);

  EXPECT_THAT(Containment::FindMarked(std::set<std::string>{"run-a", "run-b"}),
              UnorderedElementsAre(a.pid(), b.pid()));
  EXPECT_THAT(Containment::FindMarked("run-c"), UnorderedElementsAre(other.pid()));
  EXPECT_TRUE(Containment::FindMarked(std::set<std::string>{}).empty());
}

}  // namespace
}  // namespace asgard::process
