// File: cluster_masters.h
// The agent's masters in cluster mode (agent.master.cluster: true): the master the
// MasterDirectory picks from etcd, dialled once per address, and told about masters the uplink
// could not reach. Listeners (the uplink) hear when the choice changes.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "agent/master_source.h"
#include "absl/status/statusor.h"
#include "cluster/master_directory.h"
#include "config/config.h"

namespace asgard::agent {

class ClusterMasters final : public MasterSource {
 public:
  // Connects to etcd with the agent.master.cluster_* keys; `agent` (ip:port) ranks masters.
  static absl::StatusOr<std::shared_ptr<ClusterMasters>> Start(const config::Config& cfg,
                                                                const std::string& agent);
  ~ClusterMasters() override;

  std::optional<Target> Current() override;
  void Unreachable(const std::string& name) override;
  bool CanMove() const override { return true; }
  void OnChange(std::function<void()> listener);
  const cluster::MasterDirectory& directory() const { return *directory_; }

 private:
  explicit ClusterMasters(const config::Config& cfg) : cfg_(cfg) {}
  void Notify();

  const config::Config& cfg_;
  std::unique_ptr<cluster::MasterDirectory> directory_;
  std::mutex mu_;
  std::function<void()> listener_;                                        // guarded by mu_
  std::map<std::string, std::shared_ptr<grpc::ChannelInterface>> dialled_;  // by address
};

}  // namespace asgard::agent
