#include "cluster/etcd_config.h"

namespace asgard::cluster {
namespace {

EtcdOptions Options(const std::vector<std::string>& registry, const config::EtcdAuthConfig& auth,
                    const char* key) {
  return {.endpoints = registry,
          .username = auth.username,
          .password = auth.password,
          .ca_file = auth.ca,
          .cert_file = auth.cert,
          .key_file = auth.key,
          .config_key = key};
}

}  // namespace

EtcdOptions MasterEtcdOptions(const config::Config& cfg) {
  return Options(cfg.master.cluster_registry, cfg.master.cluster_auth, "master.cluster_registry");
}

EtcdOptions AgentEtcdOptions(const config::Config& cfg) {
  return Options(cfg.agent.master_cluster_registry, cfg.agent.master_cluster_auth,
                 "agent.master.cluster_registry");
}

}  // namespace asgard::cluster
