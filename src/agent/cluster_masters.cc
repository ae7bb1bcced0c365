#include "agent/cluster_masters.h"

#include "cluster/etcd_config.h"
#include "common/absl_fmt.h"
#include "rpc/endpoint.h"
#include "spdlog/spdlog.h"

namespace asgard::agent {

absl::StatusOr<std::shared_ptr<ClusterMasters>> ClusterMasters::Start(const config::Config& cfg,
                                                                      const std::string& agent) {
  auto etcd = cluster::EtcdClient::Connect(cluster::AgentEtcdOptions(cfg));
  if (!etcd.ok()) return etcd.status();
  std::shared_ptr<ClusterMasters> masters(new ClusterMasters(cfg));
  std::weak_ptr<ClusterMasters> weak = masters;
  masters->directory_ = cluster::MasterDirectory::Start(
      std::shared_ptr<cluster::EtcdClient>(std::move(*etcd)), cfg.agent.master_cluster_name,
      agent, [weak] {
        if (auto self = weak.lock()) self->Notify();
      });
  spdlog::info("masters: those registered in etcd under {} ({})",
               cluster::MembersPrefix(cfg.agent.master_cluster_name),
               cfg.agent.master_cluster_registry.front());
  return masters;
}

ClusterMasters::~ClusterMasters() { directory_.reset(); }

std::optional<MasterSource::Target> ClusterMasters::Current() {
  std::optional<cluster::MasterEntry> pick = directory_->Pick();
  if (!pick) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = dialled_.find(pick->address);
  if (it == dialled_.end()) {
    auto channel = rpc::DialChannel(pick->address, cfg_);
    if (!channel.ok()) {
      spdlog::error("master {} ({}): {}", pick->id, pick->address, channel.status().message());
      return std::nullopt;
    }
    it = dialled_.emplace(pick->address, std::move(*channel)).first;
  }
  return Target{pick->id, it->second};
}

void ClusterMasters::Unreachable(const std::string& name) {
  if (!name.empty()) directory_->Unreachable(name);
}

void ClusterMasters::OnChange(std::function<void()> listener) {
  std::lock_guard<std::mutex> lock(mu_);
  listener_ = std::move(listener);
}

void ClusterMasters::Notify() {
  std::function<void()> listener;
  {
    std::lock_guard<std::mutex> lock(mu_);
    listener = listener_;
  }
  if (listener) listener();
}

}  // namespace asgard::agent
