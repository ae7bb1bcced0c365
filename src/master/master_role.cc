#include "master/master_role.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "cluster/etcd_client.h"
#include "cluster/etcd_config.h"
#include "cluster/master_membership.h"
#include "common/absl_fmt.h"
#include "master/master_probe.h"
#include "master/master_service.h"
#include "master/report_alerts.h"
#include "notify/notifier.h"
#include "notify/notify_config.h"
#include "rpc/credentials.h"
#include "rpc/endpoint.h"
#include "rpc/task_definition.h"
#include "spdlog/spdlog.h"
#include "standalone/role_setup.h"
#include "store/store.h"

namespace asgard::master {
namespace {

constexpr auto kSweepEvery = std::chrono::seconds(1);
constexpr auto kTablesEvery = std::chrono::hours(1);
constexpr auto kClockEvery = std::chrono::seconds(30);

// The store's clock as seen from here (cluster mode): masters time heartbeats and the offline
// sweep by it, so that one master's clock running ahead cannot take another's agents offline.
class StoreClock {
 public:
  absl::Time Now() const { return absl::Now() + absl::Nanoseconds(offset_ns_.load()); }
  void Refresh(store::Store& store) {
    absl::Time before = absl::Now();
    auto db = store.DatabaseTime();
    if (!db.ok()) return;  // keep the last offset; the store error shows elsewhere
    absl::Time mid = before + (absl::Now() - before) / 2;
    offset_ns_ = absl::ToInt64Nanoseconds(*db - mid);
  }

 private:
  std::atomic<int64_t> offset_ns_{0};
};

// The maintenance thread: offline sweep every second, monitor tables every hour; in a cluster
// only while this master leads, and with the store's clock refreshed every 30 s.
class Maintenance {
 public:
  Maintenance(MasterService& service, store::Store& store, int retention_months,
              cluster::MasterMembership* membership, StoreClock* clock)
      : service_(service),
        store_(store),
        retention_(retention_months),
        membership_(membership),
        clock_(clock) {
    thread_ = std::thread([this] { Run(); });
  }
  ~Maintenance() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  void Run() {
    auto next_tables = std::chrono::steady_clock::now();
    auto next_clock = std::chrono::steady_clock::now();
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      lock.unlock();
      auto now = std::chrono::steady_clock::now();
      if (clock_ != nullptr && now >= next_clock) {
        clock_->Refresh(store_);
        next_clock = now + kClockEvery;
      }
      std::optional<store::LeaderFence> fence;
      bool leading = membership_ == nullptr || Claimed(&fence);
      if (leading) service_.SweepOffline(fence ? &*fence : nullptr);
      if (leading && std::chrono::steady_clock::now() >= next_tables &&
          (!fence || Claimed(&fence))) {  // tables are DDL: check the claim just before
        KeepTables();
        next_tables = std::chrono::steady_clock::now() + kTablesEvery;
      }
      lock.lock();
      wake_.wait_for(lock, kSweepEvery, [this] { return stop_; });
    }
  }

  // Whether this master leads now and its epoch is the latest claimed in the store (a leader
  // that was paused past its lease finds a later claim and stands down); sets `fence`.
  bool Claimed(std::optional<store::LeaderFence>* fence) {
    std::optional<int64_t> epoch = membership_->LeaderEpoch();
    if (!epoch) return false;
    *fence = store::LeaderFence{membership_->options().cluster_name, *epoch};
    auto claimed = store_.ClaimLeadership(**fence);
    if (!claimed.ok()) {
      spdlog::warn("cluster: claiming the leader's duties in the store: {}", claimed.status());
      return false;
    }
    if (!*claimed && claimed_epoch_ != -*epoch) {
      spdlog::warn("cluster: a later leader has claimed the cluster's duties; epoch {} stands down",
                   *epoch);
      claimed_epoch_ = -*epoch;  // said once per epoch
    }
    if (*claimed) claimed_epoch_ = *epoch;
    return *claimed;
  }

  void KeepTables() {
    absl::Time now = absl::Now();
    if (auto s = store_.EnsureMonitorTables(now); !s.ok()) {
      spdlog::warn("monitor tables: {}", s);
    }
    auto dropped = store_.DropMonitorTablesOlderThan(retention_, now);
    if (!dropped.ok()) {
      spdlog::warn("monitor retention: {}", dropped.status());
      return;
    }
    for (const auto& table : *dropped) {
      spdlog::info("dropped {} (older than master.retention = {} months)", table, retention_);
    }
  }

  MasterService& service_;
  store::Store& store_;
  const int retention_;
  cluster::MasterMembership* const membership_;  // null = not in a cluster: always leads
  StoreClock* const clock_;                      // null = the local clock
  int64_t claimed_epoch_ = 0;  // maintenance thread only; negative = refused (said once)
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

class RunningMaster final : public MasterNode {
 public:
  RunningMaster(store::Store& store, const config::Config& cfg, MasterOptions options,
                std::unique_ptr<notify::Notifier> notifier, std::shared_ptr<StoreClock> clock)
      : clock_(std::move(clock)),
        notifier_(std::move(notifier)),
        service_(store, WithNotifier(std::move(options), notifier_.get())),
        store_(store),
        cfg_(cfg) {}
  ~RunningMaster() override { Stop(); }

  absl::Status Listen() {
    auto server = rpc::StartServer({.ip = cfg_.master.ip,
                                    .port = cfg_.master.port,
                                    .role = "master",
                                    .keys_set = rpc::MasterKeysSet(cfg_),
                                    .keys = "rpc.token"},
                                   cfg_, {&service_});
    if (!server.ok()) return server.status();
    server_ = std::move(*server);
    if (!server_.warning.empty()) std::cerr << "warning: " << server_.warning << std::endl;
    spdlog::info("master listening on {}{}", server_.address, server_.tls ? " (TLS)" : "");
    if (cfg_.master.cluster) {
      if (auto s = JoinCluster(); !s.ok()) return s;
    }
    maintenance_ = std::make_unique<Maintenance>(service_, store_, cfg_.master.retention,
                                                 membership_.get(), clock_.get());
    return ServeProbe();
  }
  const std::string& address() const override { return server_.address; }
  std::shared_ptr<grpc::Channel> InProcessChannel() override {
    return server_.server->InProcessChannel(rpc::ChannelArgs());
  }
  void Stop() override {
    // First out of etcd: agents see the key go and move at once, while this one still answers.
    if (membership_) membership_->Leave();
    if (probe_) {
      probe_.reset();
      unlink((cfg_.runtime_dir + "/master.metrics.addr").c_str());
    }
    maintenance_.reset();
    if (server_.server) {
      server_.server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
      server_.server.reset();
    }
  }

 private:
  // /health and /metrics on master.ip:master.metrics_port, when the key is set. Loopback when
  // master.ip is empty: the probe has no login, so it goes no wider than the operator says.
  absl::Status ServeProbe() {
    if (!cfg_.master.metrics_port) return absl::OkStatus();
    auto probe = probe::ProbeServer::Start(
        {.role = "master",
         .key = "master.metrics_port",
         .ip = cfg_.master.ip.empty() ? "127.0.0.1" : cfg_.master.ip,
         .port = *cfg_.master.metrics_port},
        WithCluster(MasterProbeSources(store_, service_.counters(), server_.address)));
    if (!probe.ok()) return probe.status();
    probe_ = std::move(*probe);
    spdlog::info("master /health and /metrics on http://{}", probe_->address());
    return rpc::WriteAddrFile(cfg_.runtime_dir, "master.metrics", probe_->address());
  }

  // In a cluster, /health and /metrics also say whether etcd answers and whether this master
  // leads; etcd unreachable is "degraded": the master serves its agents but cannot register.
  probe::ProbeSources WithCluster(probe::ProbeSources sources) const {
    cluster::MasterMembership* m = membership_.get();
    if (m == nullptr) return sources;
    sources.health.push_back([m](probe::HealthReport& h) {
      cluster::MembershipState state = m->State();
      h.Set("cluster", m->options().cluster_name);
      h.Set("cluster_id", m->options().cluster_id);
      h.Set("etcd_reachable", state.etcd_reachable);
      h.Set("registered", state.registered);
      h.Set("leader", state.leader_epoch.has_value());
      if (!state.etcd_reachable || !state.registered) {
        h.Degrade("etcd: " + (state.last_error.empty() ? std::string("not registered")
                                                        : state.last_error) +
                  "; serving the agents connected here");
      }
    });
    sources.metrics.push_back([m](probe::PrometheusText& out) {
      cluster::MembershipState state = m->State();
      out.Single("asgard_master_etcd_reachable", "1 while etcd answers this master, else 0.",
                 probe::MetricType::kGauge, state.etcd_reachable ? 1 : 0);
      out.Single("asgard_master_cluster_leader", "1 while this master leads its cluster, else 0.",
                 probe::MetricType::kGauge, state.leader_epoch ? 1 : 0);
    });
    return sources;
  }

  static MasterOptions WithNotifier(MasterOptions options, notify::Notifier* notifier) {
    options.notifier = notifier;
    return options;
  }

  // The address agents dial: master.cluster_ip (or master.ip) and the port bound.
  absl::StatusOr<std::string> Advertised() const {
    std::string ip = cfg_.master.cluster_ip.empty() ? cfg_.master.ip : cfg_.master.cluster_ip;
    if (ip.empty() || ip == "0.0.0.0" || ip == "::") {
      return absl::InvalidArgumentError(
          "master.cluster_ip is empty and master.ip is '" + ip +
          "': set master.cluster_ip to the address agents dial (it goes into etcd)");
    }
    std::string port = server_.address.substr(server_.address.rfind(':') + 1);
    return ip + ":" + port;
  }

  absl::Status JoinCluster() {
    auto advertised = Advertised();
    if (!advertised.ok()) return advertised.status();
    auto etcd = cluster::EtcdClient::Connect(cluster::MasterEtcdOptions(cfg_));
    if (!etcd.ok()) return etcd.status();
    auto membership = cluster::MasterMembership::Join(
        std::shared_ptr<cluster::EtcdClient>(std::move(*etcd)),
        {.cluster_name = cfg_.master.cluster_name,
         .cluster_id = cfg_.master.cluster_id,
         .advertise = *advertised,
         .ttl_seconds = cfg_.master.cluster_ttl});
    if (!membership.ok()) return membership.status();
    membership_ = std::move(*membership);
    return absl::OkStatus();
  }

  std::shared_ptr<StoreClock> clock_;  // null = the local clock
  // Declared first: the service posts to it until it is gone.
  std::unique_ptr<notify::Notifier> notifier_;
  MasterService service_;
  store::Store& store_;
  const config::Config& cfg_;
  rpc::ListeningServer server_;
  std::unique_ptr<cluster::MasterMembership> membership_;
  std::unique_ptr<Maintenance> maintenance_;
  std::unique_ptr<probe::ProbeServer> probe_;  // null unless master.metrics_port is set
};

}  // namespace

absl::StatusOr<std::unique_ptr<MasterNode>> MasterNode::Start(store::Store& store,
                                                              const config::Config& cfg) {
  MasterOptions options;
  auto token = rpc::AgentToken(cfg);
  if (!token.ok()) return token.status();
  options.token = *token;
  options.name = cfg.master.ip + ":" + std::to_string(cfg.master.port);
  std::shared_ptr<StoreClock> clock;
  if (cfg.master.cluster) {
    options.name = cfg.master.cluster_id;  // agents.master: which master of the cluster
    clock = std::make_shared<StoreClock>();
    clock->Refresh(store);
    options.now = [clock] { return clock->Now(); };
    // An agent whose master died or hung moves within the lease's TTL (and a heartbeat): not
    // offline, only moving.
    options.offline_after = std::max(
        options.offline_after,
        absl::Seconds(options.heartbeat_interval_s + cfg.master.cluster_ttl + 3));
  }
  auto channels = notify::ChannelsFromConfig(cfg);
  if (!channels.ok()) return channels.status();
  for (const auto& channel : *channels) spdlog::info("failure alerts: {}", channel->Name());
  auto notifier = std::make_unique<notify::Notifier>(
      std::move(*channels), absl::Seconds(cfg.master.notify_throttle),
      [&store](notify::Alert& alert) { DescribeFromStore(store, alert); });
  auto node =
      std::make_unique<RunningMaster>(store, cfg, options, std::move(notifier), std::move(clock));
  if (auto s = node->Listen(); !s.ok()) return s;
  return node;
}

int RunMaster(const std::string& conf_dir) {
  auto cfg = standalone::SetupRole("master", conf_dir);
  if (!cfg.ok()) {
    std::cerr << "asgard master: " << cfg.status().message() << std::endl;
    return standalone::RoleSetupExitCode(cfg.status());
  }
  auto store = store::Store::Open(standalone::AsgardDb(*cfg), cfg->runtime_dir);
  if (!store.ok()) return standalone::RoleFailure("master", "store: " + std::string(store.status().message()));
  rpc::LogImportedRootTasks(**store);
  auto node = MasterNode::Start(**store, *cfg);
  if (!node.ok()) {
    // A duplicate cluster_id is the configuration's fault, as a bad key is.
    int code = absl::IsAlreadyExists(node.status()) ? 2 : standalone::RoleSetupExitCode(node.status());
    return standalone::RoleFailure("master", std::string(node.status().message()), code);
  }
  if (auto s = rpc::WriteAddrFile(cfg->runtime_dir, "master", (*node)->address()); !s.ok()) {
    return standalone::RoleFailure("master", std::string(s.message()));
  }
  std::cout << "listening on " << (*node)->address() << std::endl;
  int sig = standalone::WaitForStopSignal("master");
  spdlog::info("signal {}: stopping", sig);
  (*node)->Stop();
  unlink((cfg->runtime_dir + "/master.addr").c_str());
  spdlog::info("stopped");
  return 0;
}

}  // namespace asgard::master
