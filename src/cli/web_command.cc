#include "cli/commands.h"
#include "web/web_role.h"

namespace asgard::cli {

void AddWebCommands(CLI::App& app, Invocation& inv) {
  CLI::App* web = app.add_subcommand(
      "web", "REST API and web console over the store (Web 管理界面与 API)");
  web->add_option("-c,--conf", inv.web_conf, "Directory holding app.yaml")->capture_default_str();
  web->footer(
      "Serves /api/v1, /health, /metrics and the console (web.static_dir, else web-ui/dist) on\n"
      "web.ip:web.port (default 0.0.0.0:12345; port 0: any free port, written to\n"
      "<runtime_dir>/web.addr). Changes go to the store and are pushed to agents over gRPC.\n"
      "Over a limit a client gets 429 or 503 naming the key to raise: web.max_connections,\n"
      "web.max_connections_per_client, web.max_requests_per_user, web.max_streams_per_user,\n"
      "web.header_timeout, web.idle_timeout (docs/config.md).\n"
      "Exit codes: 0 ok, 1 runtime failure, 2 bad config.");
  web->final_callback([&inv] { inv.action = [&inv] { return web::RunWeb(inv.web_conf); }; });

  CLI::App* all = app.add_subcommand(
      "all", "web + master + agent in one process on SQLite (单机一体化模式)");
  all->add_option("-c,--conf", inv.web_conf, "Directory holding app.yaml (optional)")
      ->capture_default_str();
  all->footer(
      "Everything in one process, no external service: the store is runtime/asgard.db, the\n"
      "console listens on 127.0.0.1:12345 (web.ip / web.port), the parts talk over loopback\n"
      "with a generated token. Without conf/app.yaml the built-in defaults are used.\n"
      "/health and /metrics are the web node's; master.metrics_port and agent.metrics_port,\n"
      "when set, add the master's and the agent's on ports of their own.\n"
      "Log in as admin / 123456 and change the password when asked.");
  all->final_callback([&inv] { inv.action = [&inv] { return RunAll(inv.web_conf); }; });
}

}  // namespace asgard::cli
