// File: agent_role.h
// `asgard agent`: runs the apps, jobs and timings a master assigns to this server. Serves
// asgard.v1.Agent on agent.rpc.ip:agent.rpc.port (port 0 = any free port; the bound address
// goes to <runtime_dir>/agent.addr), talks to the master at agent.master.ip:port through the
// uplink, keeps its assignment (agent-assignment.pb), its unsent reports (agent-spool/) and
// fired timings (agent-timings.fired) in runtime_dir. SIGTERM/SIGINT stop every task as
// configured, then the agent; a second signal kills what is left at once.
#pragma once

#include <string>

#include "config/config.h"

namespace asgard::agent {

// Returns the exit code: 0 after a signal, 1 runtime failure, 2 configuration error.
int RunAgent(const std::string& conf_dir);

// The agent on this thread with a configuration already loaded (logging set up), until a
// stop signal; `asgard all` runs it beside the web node and the master.
int RunAgentWith(config::Config config);

}  // namespace asgard::agent
