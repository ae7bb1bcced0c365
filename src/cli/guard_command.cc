#include "cli/commands.h"
#include "cli/local_commands.h"
#include "cli/status_output.h"
#include "runtime/guard.h"

namespace asgard::cli {
namespace {

int RunGuard(const LocalFlags& flags) {
  standalone::DaemonOptions options{"guard", flags.conf_dir, flags.socket};
  return standalone::RunDaemon(
      options, [](EventLoop& loop, process::Launcher& launcher, const config::Config&)
                   -> absl::StatusOr<std::unique_ptr<runtime::TaskRole>> {
        return std::make_unique<runtime::Guard>(loop, launcher);
      });
}

}  // namespace

void AddGuardCommand(CLI::App& app, Invocation& inv) {
  CLI::App* guard = app.add_subcommand(
      "guard", "Single-machine process guard for the `app:` list of app.yaml (单机进程守护)");
  AddDaemonFlags(*guard, inv.guard);
  guard->footer(
      "Without a subcommand, runs the guard in the foreground. SIGTERM/SIGINT stop every app\n"
      "(stop_signal, then SIGKILL after stop_timeout); SIGHUP reloads app.yaml and changes only\n"
      "what differs. Keys: docs/config.md. Exit codes: 0 ok, 1 runtime failure, 2 bad config.");
  guard->require_subcommand(0, 1);
  AddStatusAndShow(*guard, "guard", inv.guard, &RenderGuardStatus, inv.action);
  guard->final_callback([&inv, guard] {
    if (!guard->get_subcommands().empty()) return;
    inv.action = [&inv] { return RunGuard(inv.guard); };
  });
}

}  // namespace asgard::cli
