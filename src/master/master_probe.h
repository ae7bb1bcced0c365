// File: master_probe.h
// What a master's /health and /metrics (master.metrics_port, probe/probe_server.h) say: whether
// the store answers, its agents online and offline, and what the service did since it started
// (registrations, heartbeats, reports, store errors). Its /health is degraded (503) while the
// store does not answer: such a master can take no heartbeat.
//
//   probe::ProbeSources sources = MasterProbeSources(store, service.counters(), address);
//   ASSIGN_OR_RETURN(auto probe, probe::ProbeServer::Start(where, std::move(sources)));
//
// Thread-safety: the sources read the store (which serialises its calls) and atomics; `store`
// and `counters` must outlive the probe server.
#pragma once

#include <string>

#include "master/master_service.h"
#include "probe/probe_server.h"
#include "store/store.h"

namespace asgard::master {

// `address`: the master's gRPC address, shown in /health.
probe::ProbeSources MasterProbeSources(store::Store& store, const MasterCounters& counters,
                                       std::string address);

}  // namespace asgard::master
