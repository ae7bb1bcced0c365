// File: master_source.h
// Where the agent's uplink finds its master: one fixed address (agent.master.ip/port, or the
// master inside `asgard all`), or the cluster's choice from etcd (cluster_masters.h). The uplink
// asks before each round and registers again whenever the answer names another master.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "grpcpp/impl/channel_interface.h"

namespace asgard::agent {

class MasterSource {
 public:
  struct Target {
    std::string name;  // for logs, and for Unreachable()
    std::shared_ptr<grpc::ChannelInterface> channel;
  };
  virtual ~MasterSource() = default;
  // The master to use now; nullopt while none is known (the cached assignment keeps running).
  virtual std::optional<Target> Current() = 0;
  // A call to `name` failed as unreachable (reset, timed out): another may be chosen.
  virtual void Unreachable(const std::string& name) { (void)name; }
  // Whether there is another master to move to (a cluster): then a dropped connection is
  // checked at once rather than at the next heartbeat.
  virtual bool CanMove() const { return false; }
};

class FixedMaster final : public MasterSource {
 public:
  FixedMaster(std::string name, std::shared_ptr<grpc::ChannelInterface> channel)
      : target_{std::move(name), std::move(channel)} {}
  std::optional<Target> Current() override { return target_; }

 private:
  const Target target_;
};

}  // namespace asgard::agent
