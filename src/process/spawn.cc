#include "process/spawn.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "common/errno_status.h"
#include "common/unique_fd.h"

namespace asgard::process {
namespace {

// Which step failed in the child; reported back through the error pipe with errno.
enum class Step : int { kSetsid = 1, kCgroup, kDup, kChdir, kGroups, kGid, kUid, kExec };

const char* StepName(Step step) {
  switch (step) {
    case Step::kSetsid:
      return "setsid";
    case Step::kCgroup:
      return "join cgroup";
    case Step::kDup:
      return "redirect stdio";
    case Step::kChdir:
      return "chdir";
    case Step::kGroups:
      return "setgroups";
    case Step::kGid:
      return "setgid";
    case Step::kUid:
      return "setuid";
    case Step::kExec:
      return "exec";
  }
  return "spawn";
}

struct ChildArgs {
  const SpawnPlan* plan;
  char* const* argv;
  char* const* envp;
  int error_fd;
};

[[noreturn]] void Fail(const ChildArgs& a, Step step) {
  int report[2] = {static_cast<int>(step), errno};
  [[maybe_unused]] ssize_t n = write(a.error_fd, report, sizeof(report));
  _exit(127);
}

// Runs in the child, sharing the parent's memory until exec: raw system calls only. glibc's
// setuid()/setgroups() would broadcast to the parent's threads, so use syscall() directly.
int ChildMain(void* raw) {
  const ChildArgs& a = *static_cast<ChildArgs*>(raw);
  const SpawnPlan& p = *a.plan;
  sigset_t none;
  sigemptyset(&none);
  syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, nullptr, sizeof(uint64_t));
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig : {SIGPIPE, SIGCHLD, SIGHUP, SIGINT, SIGTERM, SIGQUIT}) {
    syscall(SYS_rt_sigaction, sig, &dfl, nullptr, sizeof(uint64_t));
  }
  if (setsid() < 0) Fail(a, Step::kSetsid);
  if (p.cgroup_procs_fd >= 0 && write(p.cgroup_procs_fd, "0", 1) != 1) Fail(a, Step::kCgroup);
  if (dup2(p.stdin_fd, 0) < 0 || dup2(p.stdout_fd, 1) < 0 || dup2(p.stderr_fd, 2) < 0) {
    Fail(a, Step::kDup);
  }
  if (!p.dir.empty() && chdir(p.dir.c_str()) != 0) Fail(a, Step::kChdir);
  if (p.switch_user) {
    if (syscall(SYS_setgroups, p.groups.size(), p.groups.data()) != 0) Fail(a, Step::kGroups);
    if (syscall(SYS_setresgid, p.gid, p.gid, p.gid) != 0) Fail(a, Step::kGid);
    if (syscall(SYS_setresuid, p.uid, p.uid, p.uid) != 0) Fail(a, Step::kUid);
  }
  // After the credential change: changing credentials clears the parent-death signal.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
  execve(p.path.c_str(), a.argv, a.envp);
  Fail(a, Step::kExec);
}

std::vector<char*> CStrings(const std::vector<std::string>& items) {
  std::vector<char*> out;
  out.reserve(items.size() + 1);
  for (const auto& s : items) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// The child's stack: only a few frames of system calls run on it.
constexpr size_t kChildStack = 64 * 1024;

}  // namespace

absl::StatusOr<pid_t> SpawnProcess(const SpawnPlan& plan) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe2");
  UniqueFd err_read(pipe_fds[0]), err_write(pipe_fds[1]);
  std::vector<char*> argv = CStrings(plan.argv);
  std::vector<char*> envp = CStrings(plan.env);
  ChildArgs args{&plan, argv.data(), envp.data(), err_write.get()};

  void* stack = mmap(nullptr, kChildStack, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return ErrnoStatus("mmap child stack");
  // CLONE_VFORK: we resume only once the child has exec'd or exited, so the stack and the
  // plan stay valid for as long as the child uses them.
  pid_t pid = clone(ChildMain, static_cast<char*>(stack) + kChildStack,
                    CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  int clone_errno = errno;
  munmap(stack, kChildStack);
  if (pid < 0) return ErrnoStatus("clone", clone_errno);
  err_write.reset();

  int report[2] = {0, 0};
  ssize_t n = read(err_read.get(), report, sizeof(report));
  if (n == sizeof(report)) {
    // The child failed before exec and has exited; the caller's reaper collects it.
    std::string what = StepName(static_cast<Step>(report[0]));
    if (static_cast<Step>(report[0]) == Step::kChdir) what += " " + plan.dir;
    if (static_cast<Step>(report[0]) == Step::kExec) what += " " + plan.path;
    return ErrnoStatus(what, report[1]);
  }
  return pid;
}

}  // namespace asgard::process
