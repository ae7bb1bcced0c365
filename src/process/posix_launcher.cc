#include "process/posix_launcher.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <set>
#include <string>

#include "common/absl_fmt.h"
#include "common/errno_status.h"
#include "common/uuid.h"
#include "process/argv.h"
#include "process/clone_into_cgroup.h"
#include "process/spawn.h"
#include "spdlog/spdlog.h"

extern char** environ;

namespace asgard::process {
namespace {

constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";

// What one loop turn copies from one pipe. Less than the smallest file, so that a turn does at
// most one rotation per output stream however small max_bytes is (and however fast the
// program writes): the rest waits in the pipe, and the program waits for the pipe.
constexpr size_t kPumpReadBytes = 64 * 1024;
constexpr int kPumpReadsPerTurn = 4;
static_assert(kPumpReadBytes * kPumpReadsPerTurn <= static_cast<size_t>(kMinRotateBytes));

std::vector<std::string> BuildEnv(const ProcessSpec& spec, const std::string& run_id,
                                  const passwd* user) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e; ++e) {
    std::string entry(*e);
    auto eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  if (user) {
    env["HOME"] = user->pw_dir;
    env["USER"] = env["LOGNAME"] = user->pw_name;
  }
  if (spec.isolated) {
    // No account name exists for the uid: the daemon's own would only mislead.
    env.erase("USER");
    env.erase("LOGNAME");
    env["HOME"] = spec.isolated->home;
  }
  for (const auto& [k, v] : spec.env) env[k] = v;
  env["ASGARD_RUN_ID"] = run_id;
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

// Fills uid/gid/groups for `name`; only root may run tasks as another user.
absl::Status ResolveUser(const std::string& name, SpawnPlan* plan, passwd* pw,
                         std::vector<char>* buf) {
  passwd* result = nullptr;
  buf->resize(16384);
  if (getpwnam_r(name.c_str(), pw, buf->data(), buf->size(), &result) != 0 || !result) {
    return absl::NotFoundError("user '" + name + "' does not exist");
  }
  if (geteuid() != 0 && pw->pw_uid != geteuid()) {
    return absl::PermissionDeniedError("user '" + name +
                                       "': only a daemon running as root can switch users");
  }
  plan->groups = GroupsOf(name, pw->pw_gid);
  plan->switch_user = true;
  plan->uid = pw->pw_uid;
  plan->gid = pw->pw_gid;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<PosixLauncher>> PosixLauncher::Create(EventLoop& loop,
                                                                     const std::string& tag) {
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  UniqueFd sfd(signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sfd.valid()) return ErrnoStatus("signalfd SIGCHLD");
  auto containment = Containment::Create(tag);
  std::unique_ptr<PosixLauncher> launcher(
      new PosixLauncher(loop, std::move(sfd), std::move(containment)));
  launcher->dev_null_.reset(open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!launcher->dev_null_.valid()) return ErrnoStatus("open /dev/null");
  auto* self = launcher.get();
  if (auto s = loop.Watch(self->sigchld_.get(), [self] { self->OnSigchld(); }); !s.ok()) return s;
  return launcher;
}

PosixLauncher::PosixLauncher(EventLoop& loop, UniqueFd sigchld,
                             std::unique_ptr<Containment> containment)
    : loop_(loop), sigchld_(std::move(sigchld)), containment_(std::move(containment)) {}

PosixLauncher::~PosixLauncher() {
  loop_.Unwatch(sigchld_.get());
  for (auto& [fd, pump] : pumps_) loop_.Unwatch(fd);
  for (auto& [pid, run] : runs_) {
    if (containment_->KillRemains(run.info.run_id, pid)) containment_->KillMarked(run.info.run_id);
  }
}

pid_t PosixLauncher::PidOf(const std::string& run_id) const {
  auto it = by_run_.find(run_id);
  return it == by_run_.end() ? 0 : it->second;
}

absl::StatusOr<UniqueFd> PosixLauncher::CaptureInto(const std::string& path,
                                                    const ProcessSpec& spec,
                                                    std::shared_ptr<const FsIdentity> as_user,
                                                    std::shared_ptr<OutputHealth> health) {
  auto opened = LogSink::Open(path, spec.max_bytes, spec.backups, std::move(as_user));
  if (!opened.ok()) return opened.status();
  if ((*opened)->discards()) {
    // /dev/null by another name: the run writes there directly, the loop copies nothing.
    UniqueFd null(fcntl(dev_null_.get(), F_DUPFD_CLOEXEC, 0));
    if (!null.valid()) return ErrnoStatus("dup /dev/null");
    return null;
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return ErrnoStatus("pipe2");
  fcntl(fds[0], F_SETFL, O_NONBLOCK);
  AddPump(UniqueFd(fds[0]), std::move(*opened), StreamDrops(path, std::move(health)));
  return UniqueFd(fds[1]);
}

absl::StatusOr<RunInfo> PosixLauncher::Spawn(const ProcessSpec& spec, ExitCallback on_exit) {
  SpawnPlan plan;
  passwd pw{};
  std::vector<char> pw_buf;
  if (!spec.user.empty()) {
    if (auto s = ResolveUser(spec.user, &plan, &pw, &pw_buf); !s.ok()) return s;
  } else if (spec.isolated) {
    if (geteuid() != 0) {
      return absl::PermissionDeniedError("only a daemon running as root can run a task as uid " +
                                         std::to_string(spec.isolated->uid));
    }
    plan.switch_user = true;
    plan.uid = spec.isolated->uid;
    plan.gid = static_cast<gid_t>(spec.isolated->uid);
    plan.groups = {plan.gid};
    plan.umask = 077;
    plan.max_processes = spec.isolated->max_processes;
  }
  auto args = SplitArgs(spec.args);
  if (!args.ok()) return args.status();
  auto path_it = spec.env.find("PATH");
  const char* inherited = getenv("PATH");
  std::string path_env =
      path_it != spec.env.end() ? path_it->second : (inherited ? inherited : kDefaultPath);
  std::shared_ptr<const FsIdentity> as_user;
  if ((spec.files_as_user || spec.isolated) && plan.switch_user) {
    as_user = std::make_shared<FsIdentity>(FsIdentity{plan.uid, plan.gid, plan.groups});
  }
  absl::StatusOr<std::string> resolved = [&]() -> absl::StatusOr<std::string> {
    FsIdentityScope scope(as_user.get());
    if (absl::Status s = scope.status(); !s.ok()) return s;
    return ResolveProgram(spec.program, spec.dir, path_env);
  }();
  if (!resolved.ok()) return resolved.status();

  std::string run_id = NewUuid();
  plan.path = *resolved;
  plan.argv.push_back(spec.program);
  plan.argv.insert(plan.argv.end(), args->begin(), args->end());
  plan.env = BuildEnv(spec, run_id, spec.user.empty() ? nullptr : &pw);
  plan.dir = spec.dir;

  auto health = std::make_shared<OutputHealth>();
  UniqueFd out_w, err_w;
  if (!spec.std_out.empty()) {
    auto w = CaptureInto(spec.std_out, spec, as_user, health);
    if (!w.ok()) return absl::Status(w.status().code(), "stdout: " + std::string(w.status().message()));
    out_w = std::move(*w);
  }
  if (!spec.std_err.empty() && spec.std_err != spec.std_out) {
    auto w = CaptureInto(spec.std_err, spec, as_user, health);
    if (!w.ok()) return absl::Status(w.status().code(), "stderr: " + std::string(w.status().message()));
    err_w = std::move(*w);
  }
  plan.stdin_fd = dev_null_.get();
  plan.stdout_fd = out_w.valid() ? out_w.get() : dev_null_.get();
  plan.stderr_fd = err_w.valid() ? err_w.get() : (spec.std_err.empty() ? dev_null_.get() : plan.stdout_fd);
  UniqueFd cgroup = containment_->PrepareRun(run_id);
  plan.cgroup_fd = cgroup.get();
  plan.clone_into_cgroup = clone_into_cgroup_;

  auto spawned = SpawnProcess(plan);
  if (spawned.ok()) NoteSpawnPath(*spawned);
  if (!spawned.ok()) {
    containment_->KillRemains(run_id, 0);  // removes the empty cgroup; nothing else ran
    return spawned.status();
  }
  RunInfo info{run_id, spawned->pid, WallClock::now(), std::move(health)};
  runs_.emplace(spawned->pid, Run{info, std::move(on_exit)});
  by_run_.emplace(run_id, spawned->pid);
  return info;
}

void PosixLauncher::NoteSpawnPath(const Spawned& spawned) {
  if (spawned.clone3_error != 0 && KernelLacksCloneIntoCgroup(spawned.clone3_error)) {
    clone_into_cgroup_ = false;  // the same answer every time: stop asking
  }
  if (spawn_path_ == spawned.path) return;
  spawn_path_ = spawned.path;
  // Said once, and again if it changes: benchmarks and operators read which way runs start.
  if (spawned.path == SpawnPath::kNoCgroup) {
    spdlog::info("runs start without a cgroup (no writable cgroup v2); found by ASGARD_RUN_ID");
  } else if (spawned.path == SpawnPath::kIntoCgroup) {
    spdlog::info("runs start inside their own cgroup (clone3 CLONE_INTO_CGROUP)");
  } else {
    spdlog::info("runs join their own cgroup after the clone (clone3 CLONE_INTO_CGROUP: {})",
                 std::strerror(spawned.clone3_error));
  }
}

void PosixLauncher::Signal(const std::string& run_id, int sig) {
  auto it = by_run_.find(run_id);
  if (it == by_run_.end()) return;
  containment_->Signal(run_id, it->second, sig);
}

void PosixLauncher::AddPump(UniqueFd read_end, std::shared_ptr<LogSink> sink, StreamDrops drops) {
  int fd = read_end.get();
  pumps_.emplace(fd, Pump{std::move(read_end), std::move(sink), std::move(drops)});
  auto status = loop_.Watch(fd, [this, fd] { OnPumpReadable(fd); });
  if (!status.ok()) spdlog::error("watch output pipe: {}", status.message());
}

void PosixLauncher::OnPumpReadable(int fd) {
  auto it = pumps_.find(fd);
  if (it == pumps_.end()) return;
  char buf[kPumpReadBytes];
  for (int round = 0; round < kPumpReadsPerTurn; ++round) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n > 0) {
      Pump& pump = it->second;
      int64_t dropped_before = pump.sink->dropped_bytes();
      absl::Status written = pump.sink->Write(std::string_view(buf, n));
      pump.drops.Record(written, pump.sink->dropped_bytes() - dropped_before, loop_.Now());
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    // EOF (or a read error): every writer is gone.
    loop_.Unwatch(fd);
    pumps_.erase(it);
    return;
  }
}

void PosixLauncher::OnSigchld() {
  std::set<std::string> unscanned;  // ended runs whose leftovers only a /proc scan finds
  signalfd_siginfo info;
  while (read(sigchld_.get(), &info, sizeof(info)) == sizeof(info)) {
  }
  for (;;) {
    int wait_status = 0;
    pid_t pid = waitpid(-1, &wait_status, WNOHANG);
    if (pid <= 0) break;
    if (std::optional<std::string> scan = OnReaped(pid, wait_status)) {
      unscanned.insert(*std::move(scan));
    }
  }
  // After every exit of this wake-up was handled (owners restart first): one /proc scan for
  // all the runs without a cgroup.
  containment_->KillMarked(unscanned);
  containment_->RemoveEmptyCgroups();
}

std::optional<std::string> PosixLauncher::OnReaped(pid_t pid, int wait_status) {
  auto it = runs_.find(pid);
  if (it == runs_.end()) return std::nullopt;  // an escaped descendant, or a failed spawn
  Run run = std::move(it->second);
  runs_.erase(it);
  by_run_.erase(run.info.run_id);
  ExitInfo exit;
  exit.pid = pid;
  exit.end = WallClock::now();
  exit.signalled = WIFSIGNALED(wait_status);
  exit.code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 0;
  exit.signal = exit.signalled ? WTERMSIG(wait_status) : 0;
  // What outlived the main process belongs to a dead run: kill it before the owner restarts.
  bool scan = containment_->KillRemains(run.info.run_id, pid);
  run.on_exit(exit);
  if (!scan) return std::nullopt;
  return run.info.run_id;
}

}  // namespace asgard::process
