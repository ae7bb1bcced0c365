// File: agent_role.h
// `asgard agent`: runs the apps, jobs and timings a master assigns to this server. Serves
// asgard.v1.Agent on agent.rpc.ip:agent.rpc.port (port 0 = any free port; the bound address
// goes to <runtime_dir>/agent.addr), talks to the master at agent.master.ip:port through the
// uplink, keeps its assignment (agent-assignment.pb), its unsent reports (agent-spool/) and
// fired timings (agent-timings.fired) in runtime_dir. With agent.metrics_port set, serves
// /health and /metrics there (agent_probe.h; the address goes to
// <runtime_dir>/agent.metrics.addr). SIGTERM/SIGINT stop every task as
// configured, then the agent; a second signal kills what is left at once.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "config/config.h"
#include "grpcpp/channel.h"

namespace asgard::agent {

// Returns the exit code: 0 after a signal, 1 runtime failure, 2 configuration error.
int RunAgent(const std::string& conf_dir);

// `asgard all`: the agent talks to the master of its own process, and the web node to the
// agent, through in-process channels (SPEC 5), not through their loopback listeners.
struct InProcess {
  std::shared_ptr<grpc::ChannelInterface> master;  // null: dial agent.master.ip:port
  // Called once the agent serves, with its announced address and a channel to it.
  std::function<void(const std::string& address, std::shared_ptr<grpc::Channel>)> on_serving;
};

// The agent on this thread with a configuration already loaded (logging set up), until a
// stop signal; `asgard all` runs it beside the web node and the master.
int RunAgentWith(config::Config config, InProcess in_process = {});

}  // namespace asgard::agent
