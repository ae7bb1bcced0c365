// `asgard agent` (run the agent) and `asgard agent status` (ask a running agent over its local
// 0600 Unix socket, like `guard status`: no token, only the agent's own account).
#include <fstream>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "agent/agent_role.h"
#include "asgard/v1/agent.grpc.pb.h"
#include "cli/commands.h"
#include "cli/local_client.h"
#include "cli/status_output.h"
#include "cli/table.h"
#include "common/logging.h"
#include "common/printable.h"
#include "rpc/task_enums.h"
#include "standalone/daemon.h"

namespace asgard::cli {
namespace {

std::string RenderAgentStatus(const v1::AgentListResponse& list) {
  int counts[5] = {0, 0, 0, 0, 0};
  for (const auto& t : list.tasks()) ++counts[t.definition().ref().kind() % 5];
  std::string out = absl::StrCat("app total: ", counts[2], ", job total: ", counts[3],
                                 ", timing total: ", counts[4],
                                 " (assignment version ", list.assignment_version(), ")\n");
  Table table({"KIND", "ID", "NAME", "DESIRED", "STATE", "PID", "RESTARTS", "LAST EXIT", "NEXT RUN"});
  for (const auto& t : list.tasks()) {
    const auto& d = t.definition();
    const auto& o = t.observed();
    std::string last = "-";
    if (o.has_last_exit()) {
      last = absl::StrCat(o.last_exit_status(),
                          o.last_exit_signal().empty() ? "" : " " + o.last_exit_signal(), " ",
                          FormatLocalTime(o.last_exit_at()));
    }
    table.AddRow({rpc::KindWord(d.ref().kind(), "?"), std::to_string(d.ref().id()), d.name(),
                  d.desired() == v1::DESIRED_RUN ? "run" : "pause", rpc::StateOf(o),
                  o.pid() ? std::to_string(o.pid()) : "-", std::to_string(o.restarts()), last,
                  FormatLocalTime(o.next_run_at())});
  }
  out += table.Render();
  for (const auto& t : list.tasks()) {  // running as they should, but losing their output
    if (t.observed().output_dropped_bytes() == 0) continue;
    absl::StrAppend(&out, "output dropped: ", t.definition().name(), " (",
                    t.observed().output_dropped_bytes(),
                    " bytes could not be written to its files)\n");
  }
  return out;
}

int AgentStatus(const AgentFlags& flags) {
  SetupClientLogging();
  if (flags.port > 0) {
    std::cerr << "asgard agent status: -p is gone: the status comes from the agent's local "
                 "socket (<runtime_dir>/asgard_agent, or -s PATH), which needs no token"
              << std::endl;
    return kExitUsage;
  }
  std::string socket = standalone::DefaultSocketPath("agent", flags.conf_dir, flags.socket);
  auto list = ListAgentTasks(socket);
  if (!list.ok()) {
    std::cerr << "asgard agent status: " << Printable(list.status().message()) << std::endl;
    return list.status().code() == absl::StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  std::cout << (flags.json ? RenderJson(*list) + "\n" : RenderAgentStatus(*list));
  return kExitOk;
}

}  // namespace

void AddAgentCommand(CLI::App& app, Invocation& inv) {
  CLI::App* agent = app.add_subcommand(
      "agent", "Run apps, jobs and timings on this server for a master (任务执行节点)");
  agent->add_option("-c,--conf", inv.agent.conf_dir, "Directory holding app.yaml")
      ->capture_default_str();
  agent->footer(
      "Without a subcommand, runs the agent in the foreground: it serves gRPC on\n"
      "agent.rpc.ip:agent.rpc.port (port 0: any free port; written to <runtime_dir>/agent.addr)\n"
      "for web nodes holding rpc.control_token, and its status on <runtime_dir>/asgard_agent;\n"
      "registers with agent.master.ip:port and runs the tasks the master assigns. When the\n"
      "master cannot be reached at start it runs its last assignment. With agent.metrics_port\n"
      "set it serves /health (503 when the master is unreachable) and Prometheus /metrics on\n"
      "agent.rpc.ip (127.0.0.1 when empty) at that port (0: any free port; the address is\n"
      "written to <runtime_dir>/agent.metrics.addr). SIGTERM stops every task (stop_signal,\n"
      "then SIGKILL). Exit codes: 0 ok, 1 runtime failure (a port in use), 2 bad config.");
  agent->require_subcommand(0, 1);
  CLI::App* status = agent->add_subcommand("status", "Apps, jobs and timings of a running agent");
  status->add_option("-s,--socket", inv.agent.socket,
                     "Unix socket of the agent (default: <runtime_dir>/asgard_agent)");
  status->add_option("-p,--port", inv.agent.port, "No longer used (the socket needs no token)")
      ->group("");
  status->add_option("-c,--conf", inv.agent.conf_dir,
                     "Directory holding app.yaml (for runtime_dir)")
      ->capture_default_str();
  status->add_flag("--json", inv.agent.json, "Print JSON instead of a table");
  status->final_callback([&inv] { inv.action = [&inv] { return AgentStatus(inv.agent); }; });
  agent->final_callback([&inv, agent] {
    if (!agent->get_subcommands().empty()) return;
    inv.action = [&inv] { return agent::RunAgent(inv.agent.conf_dir); };
  });
}

}  // namespace asgard::cli
