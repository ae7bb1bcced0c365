// File: etcd_config.h
// The EtcdOptions a role's app.yaml gives: master.cluster_* for a master (and for
// `asgard cluster status` on a master's host), agent.master.cluster_* for an agent.
#pragma once

#include "cluster/etcd_client.h"
#include "config/config.h"

namespace asgard::cluster {

EtcdOptions MasterEtcdOptions(const config::Config& cfg);
EtcdOptions AgentEtcdOptions(const config::Config& cfg);

}  // namespace asgard::cluster
