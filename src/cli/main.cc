#include <iostream>

#include "cli/commands.h"
#include "common/logging.h"
#include "standalone/daemon.h"

#ifndef ASGARD_VERSION
#define ASGARD_VERSION "dev"
#endif

namespace asgard::cli {

int Main(int argc, char** argv) {
  // Before any thread exists, so that every thread inherits the mask (signalfd reads them).
  standalone::BlockDaemonSignals();
  CLI::App app{"Asgard: supervises resident processes, runs cron jobs and one-shot timings.\n"
               "(Asgard 分布式任务管理: 常驻进程, 计划任务, 定时任务)"};
  app.name("asgard");
  app.set_version_flag("-v,--version", "asgard " ASGARD_VERSION);
  app.require_subcommand(1, 1);
  app.fallthrough();
  Invocation inv;
  AddGuardCommand(app, inv);
  AddCronCommand(app, inv);
  AddAgentCommand(app, inv);
  AddMasterCommand(app, inv);
  AddClusterCommand(app, inv);
  AddWebCommands(app, inv);
  AddDebugCommand(app, inv);
  AddTokenCommand(app, inv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }
  if (!inv.action) return kExitUsage;
  return inv.action();
}

}  // namespace asgard::cli
