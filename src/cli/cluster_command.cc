// `asgard cluster status`: the cluster as etcd and the store see it. Masters registered under
// /Asgard/<cluster_name>/, the leader of /Asgard-leader/<cluster_name>, the online agents of
// each master (from the store, when app.yaml names one), and each etcd endpoint's health.
#include <iostream>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands.h"
#include "cli/table.h"
#include "cluster/etcd_client.h"
#include "cluster/etcd_config.h"
#include "common/logging.h"
#include "config/config.h"
#include "nlohmann/json.hpp"
#include "standalone/role_setup.h"
#include "store/store.h"

namespace asgard::cli {
namespace {

struct ClusterFlags {
  std::string conf_dir = "conf";
  bool json = false;
};

struct ClusterView {
  std::string name;
  std::vector<std::string> endpoints;
  std::vector<cluster::KeyValue> masters;  // key = id
  std::string leader;                      // "" = none
  std::map<std::string, int> agents;       // online agents by master id
  std::string agents_error;                // why agents could not be counted
  std::vector<cluster::MemberStatus> etcd;
  std::string error;  // etcd could not be read
  bool healthy() const {
    int reachable = 0;
    for (const auto& m : etcd) reachable += m.reachable ? 1 : 0;
    return error.empty() && !masters.empty() && !leader.empty() && reachable * 2 > static_cast<int>(etcd.size());
  }
};

// The cluster keys of whichever role app.yaml configures for cluster mode.
absl::Status EtcdOptionsOf(const config::Config& cfg, cluster::EtcdOptions* options,
                           std::string* name) {
  if (cfg.master.cluster) {
    *options = cluster::MasterEtcdOptions(cfg);
    *name = cfg.master.cluster_name;
  } else if (cfg.agent.master_cluster) {
    *options = cluster::AgentEtcdOptions(cfg);
    *name = cfg.agent.master_cluster_name;
  } else {
    return absl::InvalidArgumentError(
        "neither master.cluster nor agent.master.cluster is true: this host is not in a cluster");
  }
  return absl::OkStatus();
}

void CountAgents(const config::Config& cfg, ClusterView& view) {
  auto db = standalone::AsgardDb(cfg);
  if (db.driver != "mysql") {
    view.agents_error = "the store is not shared (component.db.asgard is not MySQL/MariaDB)";
    return;
  }
  auto store = store::Store::Open(db, cfg.runtime_dir);
  if (!store.ok()) {
    view.agents_error = std::string(store.status().message());
    return;
  }
  auto agents = (*store)->ListAgents();
  if (!agents.ok()) {
    view.agents_error = std::string(agents.status().message());
    return;
  }
  for (const auto& a : *agents) {
    if (a.status == 1) ++view.agents[a.master];
  }
}

std::string Render(const ClusterView& v) {
  std::string out = absl::StrCat("cluster ", v.name, " (etcd ", absl::StrJoin(v.endpoints, ","),
                                 "): ", v.healthy() ? "healthy" : "DEGRADED", "\n");
  if (!v.error.empty()) absl::StrAppend(&out, "etcd: ", v.error, "\n");
  Table masters({"MASTER", "ADDRESS", "LEADER", "AGENTS ONLINE"});
  for (const auto& m : v.masters) {
    auto it = v.agents.find(m.key);
    masters.AddRow({m.key, m.value, m.key == v.leader ? "*" : "",
                    v.agents_error.empty() ? std::to_string(it == v.agents.end() ? 0 : it->second)
                                           : "?"});
  }
  out += masters.Render();
  if (v.masters.empty()) out += "no master registered\n";
  if (v.leader.empty()) out += "no leader\n";
  if (!v.agents_error.empty()) absl::StrAppend(&out, "agents: ", v.agents_error, "\n");
  Table etcd({"ETCD", "REACHABLE", "VERSION", "RAFT LEADER", "ALARMS / ERROR"});
  for (const auto& m : v.etcd) {
    etcd.AddRow({m.endpoint, m.reachable ? "yes" : "NO", m.version, m.is_leader ? "*" : "",
                 m.reachable ? absl::StrJoin(m.alarms, ", ") : m.error});
  }
  out += "\n" + etcd.Render();
  return out;
}

nlohmann::json ToJson(const ClusterView& v) {
  nlohmann::json j;
  j["cluster"] = v.name;
  j["healthy"] = v.healthy();
  j["leader"] = v.leader.empty() ? nlohmann::json(nullptr) : nlohmann::json(v.leader);
  j["masters"] = nlohmann::json::array();
  for (const auto& m : v.masters) {
    nlohmann::json e{{"id", m.key}, {"address", m.value}, {"leader", m.key == v.leader}};
    if (v.agents_error.empty()) {
      auto it = v.agents.find(m.key);
      e["agents_online"] = it == v.agents.end() ? 0 : it->second;
    }
    j["masters"].push_back(e);
  }
  if (!v.agents_error.empty()) j["agents_error"] = v.agents_error;
  if (!v.error.empty()) j["error"] = v.error;
  j["etcd"] = nlohmann::json::array();
  for (const auto& m : v.etcd) {
    j["etcd"].push_back({{"endpoint", m.endpoint},
                         {"reachable", m.reachable},
                         {"version", m.version},
                         {"raft_leader", m.is_leader},
                         {"alarms", m.alarms},
                         {"error", m.error}});
  }
  return j;
}

int RunClusterStatus(const ClusterFlags& flags) {
  SetupClientLogging();
  auto loaded = config::LoadConfigFile(flags.conf_dir + "/app.yaml");
  if (!loaded.ok()) {
    std::cerr << "asgard cluster status: " << loaded.status().message() << std::endl;
    return kExitUsage;
  }
  const config::Config& cfg = loaded->config;
  ClusterView view;
  cluster::EtcdOptions options;
  if (auto s = EtcdOptionsOf(cfg, &options, &view.name); !s.ok()) {
    std::cerr << "asgard cluster status: " << s.message() << std::endl;
    return kExitUsage;
  }
  view.endpoints = options.endpoints;
  auto etcd = cluster::EtcdClient::Connect(options);
  if (!etcd.ok()) {
    std::cerr << "asgard cluster status: " << etcd.status().message() << std::endl;
    return absl::IsPermissionDenied(etcd.status()) ? kExitFailure : kExitUsage;
  }
  auto masters = (*etcd)->GetPrefix(cluster::MembersPrefix(view.name));
  if (masters.ok()) {
    for (auto kv : *masters) {
      kv.key = kv.key.substr(cluster::MembersPrefix(view.name).size());
      view.masters.push_back(std::move(kv));
    }
    auto leader = (*etcd)->Leader(cluster::ElectionName(view.name));
    if (leader.ok() && leader->has_value()) view.leader = (*leader)->value;
    if (!leader.ok()) view.error = std::string(leader.status().message());
  } else {
    view.error = std::string(masters.status().message());
  }
  view.etcd = (*etcd)->MemberStatuses();
  CountAgents(cfg, view);
  if (flags.json) {
    std::cout << ToJson(view).dump(2) << std::endl;
  } else {
    std::cout << Render(view);
  }
  return view.healthy() ? kExitOk : kExitFailure;
}

}  // namespace

void AddClusterCommand(CLI::App& app, Invocation& inv) {
  CLI::App* cluster = app.add_subcommand(
      "cluster", "Cluster mode: masters in etcd, the leader, agents per master (集群状态)");
  cluster->require_subcommand(1);
  auto flags = std::make_shared<ClusterFlags>();
  CLI::App* status = cluster->add_subcommand(
      "status", "Masters registered in etcd, the leader, online agents per master, etcd health");
  status->add_option("-c,--conf", flags->conf_dir, "Directory holding app.yaml")
      ->capture_default_str();
  status->add_flag("--json", flags->json, "Print JSON");
  status->footer(
      "Reads master.cluster_* (or agent.master.cluster_*) of app.yaml and asks etcd; agents\n"
      "per master come from the store when component.db.asgard is MySQL/MariaDB.\n"
      "Exit codes: 0 healthy (a leader, a master, etcd quorum), 1 degraded or unreachable,\n"
      "2 bad config or not in a cluster.");
  status->final_callback([&inv, flags] { inv.action = [flags] { return RunClusterStatus(*flags); }; });
}

}  // namespace asgard::cli
