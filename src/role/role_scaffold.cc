#include "role/role_scaffold.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>

#include "spdlog/spdlog.h"

namespace asgard::role {
namespace {

constexpr int kStopSignals[] = {SIGTERM, SIGINT, SIGQUIT};

}  // namespace

absl::StatusOr<std::unique_ptr<RoleScaffold>> RoleScaffold::Create(const std::string& role) {
  auto loop = EventLoop::Create();
  if (!loop.ok()) return loop.status();
  auto launcher = process::PosixLauncher::Create(**loop, role);
  if (!launcher.ok()) return launcher.status();
  return std::unique_ptr<RoleScaffold>(new RoleScaffold(std::move(*loop), std::move(*launcher)));
}

RoleScaffold::~RoleScaffold() {
  launcher_.reset();
  loop_.reset();
}

absl::Status RoleScaffold::WatchSignals(SignalHooks hooks) {
  hooks_ = std::move(hooks);
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : kStopSignals) sigaddset(&mask, sig);
  sigaddset(&mask, SIGHUP);
  signals_.reset(signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  return loop_->Watch(signals_.get(), [this] { OnSignal(); });
}

void RoleScaffold::OnSignal() {
  signalfd_siginfo info;
  while (read(signals_.get(), &info, sizeof(info)) == sizeof(info)) {
    int sig = static_cast<int>(info.ssi_signo);
    if (sig == SIGHUP) {
      if (stopping_) {
        spdlog::warn("SIGHUP while stopping: not reloading");
      } else if (hooks_.on_reload) {
        hooks_.on_reload();
      }
      continue;
    }
    if (stopping_) {
      spdlog::warn("second stop signal: killing what is left");
      loop_->Stop();  // the launcher SIGKILLs live runs when destroyed
      return;
    }
    stopping_ = true;
    spdlog::info("signal {}: stopping every task", sig);
    hooks_.on_stop(sig);
  }
}

void RoleScaffold::Every(std::chrono::seconds interval, std::function<void()> fn) {
  interval = std::max(interval, std::chrono::seconds(1));
  loop_->RunAfter(interval, [this, interval, fn = std::move(fn)]() mutable {
    if (stopping_) return;  // nothing to sample once the tasks are being stopped
    fn();
    Every(interval, std::move(fn));
  });
}

void BlockRoleSignals() {
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : kStopSignals) sigaddset(&mask, sig);
  sigaddset(&mask, SIGHUP);
  sigaddset(&mask, SIGCHLD);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

}  // namespace asgard::role
