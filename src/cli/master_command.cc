#include "cli/commands.h"
#include "master/master_role.h"

namespace asgard::cli {

void AddMasterCommand(CLI::App& app, Invocation& inv) {
  CLI::App* master = app.add_subcommand(
      "master", "Track agents and store what they report (主控节点: 管理 agent, 存储上报数据)");
  master->add_option("-c,--conf", inv.master_conf, "Directory holding app.yaml")
      ->capture_default_str();
  master->footer(
      "Serves agents over gRPC on master.ip:master.port (port 0: any free port; the address is\n"
      "written to <runtime_dir>/master.addr). Store: component.db.asgard (SQLite by default,\n"
      "runtime/asgard.db). Without rpc.token it listens on 127.0.0.1 only. With\n"
      "master.metrics_port set it serves /health and Prometheus /metrics on master.ip:that port\n"
      "(0: any free port; written to <runtime_dir>/master.metrics.addr). SIGTERM stops it.\n"
      "Exit codes: 0 ok, 1 runtime failure (store, port), 2 bad config.");
  master->final_callback([&inv] {
    inv.action = [&inv] { return master::RunMaster(inv.master_conf); };
  });
}

}  // namespace asgard::cli
