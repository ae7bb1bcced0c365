#include "process/spawn.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "common/errno_status.h"
#include "common/unique_fd.h"
#include "process/clone_into_cgroup.h"

namespace asgard::process {
namespace {

// Which step failed in the child; reported back with errno through ChildArgs.
enum class Step : int {
  kSetsid = 1, kCgroup, kDup, kChdir, kGroups, kGid, kUid, kExec, kRlimit
};

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
    case Step::kRlimit:
      return "setrlimit RLIMIT_NPROC";
  }
  return "spawn";
}

// Shared with the child (CLONE_VM): the child writes `failed_step` and `error` before it exits;
// a successful exec leaves them 0. No pipe, so the parent never waits for close-on-exec.
struct ChildArgs {
  const SpawnPlan* plan;
  char* const* argv;
  char* const* envp;
  int cgroup_procs_fd = -1;  // >= 0: the child joins its cgroup by writing "0" here
  volatile int failed_step = 0;
  volatile int error = 0;
};

[[noreturn]] void Fail(ChildArgs& a, Step step) {
  a.error = errno;
  a.failed_step = static_cast<int>(step);
  _exit(127);
}

// Runs in the child, sharing the parent's memory until exec: raw system calls only. glibc's
// setuid()/setgroups() would broadcast to the parent's threads, so use syscall() directly.
int ChildMain(void* raw) {
  ChildArgs& a = *static_cast<ChildArgs*>(raw);
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
  if (a.cgroup_procs_fd >= 0 && write(a.cgroup_procs_fd, "0", 1) != 1) Fail(a, Step::kCgroup);
  if (dup2(p.stdin_fd, 0) < 0 || dup2(p.stdout_fd, 1) < 0 || dup2(p.stderr_fd, 2) < 0) {
    Fail(a, Step::kDup);
  }
  if (p.max_processes > 0) {
    struct rlimit limit {p.max_processes, p.max_processes};
    if (syscall(SYS_prlimit64, 0, RLIMIT_NPROC, &limit, nullptr) != 0) Fail(a, Step::kRlimit);
  }
  if (p.umask >= 0) syscall(SYS_umask, p.umask);
  if (p.switch_user) {
    if (syscall(SYS_setgroups, p.groups.size(), p.groups.data()) != 0) Fail(a, Step::kGroups);
    if (syscall(SYS_setresgid, p.gid, p.gid, p.gid) != 0) Fail(a, Step::kGid);
    if (syscall(SYS_setresuid, p.uid, p.uid, p.uid) != 0) Fail(a, Step::kUid);
  }
  // As the user, as the original did: a user's task cannot start in a directory it may not enter.
  if (!p.dir.empty() && chdir(p.dir.c_str()) != 0) Fail(a, Step::kChdir);
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
constexpr size_t kChildStack = 32 * 1024;

}  // namespace

const char* SpawnPathName(SpawnPath path) {
  switch (path) {
    case SpawnPath::kNoCgroup:
      return "no cgroup";
    case SpawnPath::kIntoCgroup:
      return "clone3 into cgroup";
    case SpawnPath::kJoinCgroup:
      return "clone, then join cgroup";
  }
  return "?";
}

absl::StatusOr<Spawned> SpawnProcess(const SpawnPlan& plan) {
  std::vector<char*> argv = CStrings(plan.argv);
  std::vector<char*> envp = CStrings(plan.env);
  ChildArgs args{&plan, argv.data(), envp.data()};
  // The child runs on this buffer in our own frame: with CLONE_VFORK we are suspended until it
  // has exec'd or exited, so nothing else uses it meanwhile, and no mmap/munmap (a TLB
  // shootdown across the daemon's threads) is paid per spawn.
  alignas(64) char stack[kChildStack];
  Spawned spawned;
  long pid = -1;
  if (plan.cgroup_fd >= 0 && plan.clone_into_cgroup) {
    pid = CloneVforkIntoCgroup(ChildMain, &args, stack, kChildStack, plan.cgroup_fd);
    if (pid > 0) spawned.path = SpawnPath::kIntoCgroup;
    // Refused (an old kernel, a seccomp filter, the cgroup itself): the old way says why.
    if (pid < 0) spawned.clone3_error = static_cast<int>(-pid);
  }
  UniqueFd procs;
  if (pid < 0) {
    if (plan.cgroup_fd >= 0) {
      procs.reset(openat(plan.cgroup_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC));
      if (!procs.valid()) return ErrnoStatus("open cgroup.procs");
      args.cgroup_procs_fd = procs.get();
      spawned.path = SpawnPath::kJoinCgroup;
    }
    pid = clone(ChildMain, stack + kChildStack, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
    if (pid < 0) return ErrnoStatus("clone");
  }
  if (args.failed_step != 0) {
    // The child failed before exec and has exited; the caller's reaper collects it.
    auto step = static_cast<Step>(args.failed_step);
    std::string what = StepName(step);
    if (step == Step::kChdir) what += " " + plan.dir;
    if (step == Step::kExec) what += " " + plan.path;
    return ErrnoStatus(what, args.error);
  }
  spawned.pid = static_cast<pid_t>(pid);
  return spawned;
}

}  // namespace asgard::process
