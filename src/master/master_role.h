// File: master_role.h
// `asgard master`: opens the store (migrating it), serves asgard.v1.Master over gRPC on
// master.ip:master.port (port 0 = any free port; the bound address goes to
// <runtime_dir>/master.addr and a "listening on" line), sweeps silent agents offline every
// second, keeps this and next month's monitor tables and drops those past master.retention.
// With master.metrics_port set, serves /health and /metrics there (master_probe.h; the address
// goes to <runtime_dir>/master.metrics.addr). Stops on SIGTERM/SIGINT/SIGQUIT.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "config/config.h"
#include "grpcpp/channel.h"
#include "store/store.h"

namespace asgard::master {

// The master's parts while it runs: the service, its gRPC server and the maintenance thread.
// Used by `asgard master` and by `asgard all`. Stop() (or the destructor) shuts them down.
class MasterNode {
 public:
  static absl::StatusOr<std::unique_ptr<MasterNode>> Start(store::Store& store,
                                                           const config::Config& config);
  virtual ~MasterNode() = default;
  virtual const std::string& address() const = 0;  // ip:port bound
  // A channel to this master inside the process (`asgard all`'s own agent): no network hop.
  virtual std::shared_ptr<grpc::Channel> InProcessChannel() = 0;
  virtual void Stop() = 0;
};

// Returns the exit code: 0 after a signal, 1 runtime failure, 2 configuration error.
int RunMaster(const std::string& conf_dir);

}  // namespace asgard::master
