// File: agent_probe.h
// What an agent's /health and /metrics (agent.metrics_port, probe/probe_server.h) say: its
// master and whether it answers, the tasks by kind and state with their restarts, the report
// spool, and the uplink's calls. /health is degraded (503) when the master has not answered
// for longer than kMissedBeats heartbeat intervals (the tasks go on running; what the agent
// reports waits in the spool), or when the agent's event loop does not answer in time.
//
//   probe::ProbeSources sources =
//       AgentProbeSources({loop, host, spool, uplink, "10.0.0.1:9527"});
//   ASSIGN_OR_RETURN(auto probe, probe::ProbeServer::Start(where, std::move(sources)));
//
// Thread-safety: the sources read the task host on its event loop (waiting at most
// kProbeLoopWait), the spool and the uplink under their own locks. Everything in
// AgentProbeParts must outlive the probe server.
#pragma once

#include <chrono>
#include <string>

#include "agent/report_spool.h"
#include "agent/task_host.h"
#include "agent/uplink.h"
#include "common/event_loop.h"
#include "probe/probe_server.h"

namespace asgard::agent {

// Heartbeat intervals without an answer from the master before /health says degraded.
inline constexpr int kMissedBeats = 3;
// How long a probe waits for the event loop to count the tasks.
inline constexpr auto kProbeLoopWait = std::chrono::seconds(2);

struct AgentProbeParts {
  EventLoop& loop;
  TaskHost& host;
  ReportSpool& spool;
  Uplink& uplink;
  std::string master;  // the master's address as configured ("... (in process)" in asgard all)
};

probe::ProbeSources AgentProbeSources(AgentProbeParts parts);

// Whether the master is overdue: not answered for more than kMissedBeats intervals at `now`.
bool MasterOverdue(const UplinkStatus& status, std::chrono::steady_clock::time_point now);

}  // namespace asgard::agent
