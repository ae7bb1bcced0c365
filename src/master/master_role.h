// File: master_role.h
// `asgard master`: opens the store (migrating it), serves asgard.v1.Master over gRPC on
// master.ip:master.port (port 0 = any free port; the bound address goes to
// <runtime_dir>/master.addr and a "listening on" line), sweeps silent agents offline every
// second, keeps this and next month's monitor tables and drops those past master.retention.
// Stops on SIGTERM/SIGINT/SIGQUIT.
#pragma once

#include <string>

namespace asgard::master {

// Returns the exit code: 0 after a signal, 1 runtime failure, 2 configuration error.
int RunMaster(const std::string& conf_dir);

}  // namespace asgard::master
