#include "cli/local_commands.h"

#include <iostream>

#include "cli/local_client.h"
#include "cli/status_output.h"
#include "common/logging.h"
#include "common/printable.h"

namespace asgard::cli {
namespace {

int Fail(const absl::Status& s) {
  std::cerr << Printable(s.message()) << std::endl;
  return s.code() == absl::StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

int Status(const std::string& role, const LocalFlags& flags, ListRenderer render) {
  SetupClientLogging();
  std::string socket = standalone::DefaultSocketPath(role, flags.conf_dir, flags.socket);
  auto list = ListTasks(role, socket);
  if (!list.ok()) return Fail(list.status());
  std::cout << (flags.json ? RenderJson(*list) + "\n" : render(*list));
  return kExitOk;
}

int Show(const std::string& role, const LocalFlags& flags) {
  SetupClientLogging();
  std::string socket = standalone::DefaultSocketPath(role, flags.conf_dir, flags.socket);
  auto detail = GetTask(role, socket, flags.name);
  if (!detail.ok()) {
    if (detail.status().code() == absl::StatusCode::kNotFound) {
      std::cerr << (role == "guard" ? "app" : "job") << " no exist: no task named '"
                << Printable(flags.name) << "' in asgard " << role << std::endl;
      return kExitFailure;
    }
    return Fail(detail.status());
  }
  std::cout << (flags.json ? RenderJson(*detail) + "\n" : RenderShow(*detail));
  return kExitOk;
}

}  // namespace

void AddDaemonFlags(CLI::App& cmd, LocalFlags& flags) {
  cmd.add_option("-c,--conf", flags.conf_dir, "Directory holding app.yaml")
      ->capture_default_str();
  cmd.add_option("-s,--socket", flags.socket,
                 "Unix socket of the daemon (default: <runtime_dir>/asgard_<role>)");
}

void AddStatusAndShow(CLI::App& parent, const std::string& role, LocalFlags& flags,
                      ListRenderer render, Action& action) {
  CLI::App* status = parent.add_subcommand("status", "Print every task with its state");
  AddDaemonFlags(*status, flags);
  status->add_flag("--json", flags.json, "Print JSON for scripts");
  status->final_callback([&action, &flags, role, render] {
    action = [&flags, role, render] { return Status(role, flags, render); };
  });

  CLI::App* show = parent.add_subcommand("show", "Print one task in detail with its latest runs");
  AddDaemonFlags(*show, flags);
  show->add_option("name", flags.name, "The task's name in app.yaml")->required();
  show->add_flag("--json", flags.json, "Print JSON for scripts");
  show->final_callback([&action, &flags, role] {
    action = [&flags, role] { return Show(role, flags); };
  });
}

}  // namespace asgard::cli
