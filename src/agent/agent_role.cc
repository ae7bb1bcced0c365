#include "agent/agent_role.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <iostream>

#include "absl/strings/str_cat.h"
#include "agent/agent_probe.h"
#include "agent/agent_service.h"
#include "agent/assignment_cache.h"
#include "agent/cluster_masters.h"
#include "agent/report_spool.h"
#include "agent/task_host.h"
#include "agent/uplink.h"
#include "common/absl_fmt.h"
#include "common/uuid.h"
#include "role/role_scaffold.h"
#include "rpc/credentials.h"
#include "rpc/endpoint.h"
#include "spdlog/spdlog.h"
#include "runtime/fired_file.h"
#include "standalone/local_server.h"
#include "standalone/unix_socket.h"
#include "standalone/role_setup.h"

#ifndef ASGARD_VERSION
#define ASGARD_VERSION "dev"
#endif

namespace asgard::agent {
namespace {

// Unsent reports kept while the master is away; beyond it monitor samples are dropped.
constexpr size_t kSpoolBytes = 256 * 1024 * 1024;

// The address the master and the web node should dial: agent.rpc.ip when it names one,
// loopback when bound there, else this host's first non-loopback IPv4 address.
std::string AnnouncedIp(const std::string& configured, const std::string& bound_host) {
  if (!configured.empty() && configured != "0.0.0.0") return configured;
  if (bound_host.rfind("127.", 0) == 0) return bound_host;
  std::string found = "127.0.0.1";
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return found;
  for (ifaddrs* it = list; it; it = it->ifa_next) {
    if (!it->ifa_addr || it->ifa_addr->sa_family != AF_INET) continue;
    char text[INET_ADDRSTRLEN];
    auto* in = reinterpret_cast<sockaddr_in*>(it->ifa_addr);
    if (!inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text))) continue;
    if (std::string(text).rfind("127.", 0) == 0) continue;
    found = text;
    break;
  }
  freeifaddrs(list);
  return found;
}

class Agent {
 public:
  Agent(config::Config config, InProcess in_process)
      : cfg_(std::move(config)), in_process_(std::move(in_process)) {}
  int Run();

 private:
  absl::Status Prepare();
  absl::Status ServeLocal();
  absl::Status Serve();
  // The fixed master (agent.master.ip/port, or `asgard all`'s own), or the cluster's from etcd;
  // `described` says which, for the log and /health.
  absl::StatusOr<std::shared_ptr<MasterSource>> Masters(const std::string& self,
                                                         std::string* described);
  absl::Status ServeProbe(const std::string& master);
  void OnStop();
  void Shutdown();

  config::Config cfg_;
  InProcess in_process_;
  std::string runtime_;
  std::unique_ptr<role::RoleScaffold> scaffold_;  // loop, launcher, signals, sampling
  EventLoop* loop_ = nullptr;                      // scaffold_'s
  std::unique_ptr<TaskHost> host_;
  std::unique_ptr<ReportSpool> spool_;
  std::unique_ptr<AgentService> service_;
  std::unique_ptr<standalone::LocalServer> local_;
  rpc::ListeningServer server_;
  std::shared_ptr<ClusterMasters> cluster_masters_;  // cluster mode only
  std::unique_ptr<Uplink> uplink_;
  std::unique_ptr<probe::ProbeServer> probe_;  // null unless agent.metrics_port is set
};

// The keys a layout across hosts needs (SPEC 5): the generated secrets of runtime_dir reach
// only roles on this host.
absl::Status CheckKeysForLayout(const config::Config& cfg) {
  if (!rpc::IsLoopback(cfg.agent.master_ip) && !rpc::MasterKeysSet(cfg)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "agent.master.ip ", cfg.agent.master_ip,
        " is another host: set rpc.token, the same on the masters and on every agent (without "
        "it each host generates its own, in ", cfg.runtime_dir, "/rpc.token)"));
  }
  return absl::OkStatus();
}

void LogIdentities(const TaskIdentities& ids) {
  if (ids.uid_range) {
    spdlog::info("tasks of non-admin users run as uid {} + their user id (homes in {})",
                 ids.uid_range->first, ids.home_root);
  } else if (!ids.shared_user.empty()) {
    spdlog::warn("tasks of non-admin users all run as {} (agent.task_uid_range is off): they can "
                 "read each other's output and signal each other's processes",
                 ids.shared_user);
  } else {
    spdlog::warn("this agent is not root: every task runs as its own user");
  }
}

absl::Status Agent::Prepare() {
  runtime_ = cfg_.runtime_dir;
  auto scaffold = role::RoleScaffold::Create("agent");
  if (!scaffold.ok()) return scaffold.status();
  scaffold_ = std::move(*scaffold);
  loop_ = &scaffold_->loop();
  auto fired = runtime::FiredFile::Open(runtime_ + "/agent-timings.fired");
  if (!fired.ok()) return fired.status();
  if (auto s = CheckKeysForLayout(cfg_); !s.ok()) return s;
  auto identities = TaskIdentitiesFromConfig(cfg_.agent, geteuid() == 0);
  if (!identities.ok()) return identities.status();
  LogIdentities(*identities);
  host_ = std::make_unique<TaskHost>(*loop_, scaffold_->launcher(), std::move(*fired),
                                     *identities);
  host_->KeepTimingLogsIn(runtime_ + "/agent-timing-logs.pb");
  std::string cache = runtime_ + "/agent-assignment.pb";
  host_->OnChange([this, cache] {
    if (auto s = SaveAssignmentCache(cache, host_->Snapshot()); !s.ok()) {
      spdlog::warn("assignment cache: {}", s);
    }
  });
  auto spool = ReportSpool::Open(runtime_ + "/agent-spool", kSpoolBytes);
  if (!spool.ok()) return spool.status();
  spool_ = std::move(*spool);
  return scaffold_->WatchSignals(
      {.on_stop = [this](int) { OnStop(); },
       .on_reload = [] {
         spdlog::info("SIGHUP: the agent's tasks come from the master; nothing to reload");
       }});
}

absl::Status Agent::ServeLocal() {
  const std::string path = runtime_ + "/asgard_agent";
  if (auto s = standalone::ClaimSocketPath(path); !s.ok()) return s;
  auto local = standalone::LocalServer::Listen(
      *loop_,
      [this](const v1::LocalRequest& req) {
        if (!req.has_agent_list()) {
          return standalone::LocalFailure(3, "the agent answers `asgard agent status` only");
        }
        v1::LocalResponse resp;
        *resp.mutable_agent_list() = ListPage(*host_, req.agent_list());
        return resp;
      },
      path);
  if (!local.ok()) return local.status();
  local_ = std::move(*local);
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<MasterSource>> Agent::Masters(const std::string& self,
                                                            std::string* described) {
  if (cfg_.agent.master_cluster && in_process_.master == nullptr) {
    auto masters = ClusterMasters::Start(cfg_, self);
    if (!masters.ok()) return masters.status();
    cluster_masters_ = *masters;
    *described = "cluster " + cfg_.agent.master_cluster_name + " (etcd)";
    return std::shared_ptr<MasterSource>(*masters);
  }
  std::string master = absl::StrCat(cfg_.agent.master_ip, ":", cfg_.agent.master_port);
  absl::StatusOr<std::shared_ptr<grpc::ChannelInterface>> channel = in_process_.master;
  if (in_process_.master == nullptr) channel = rpc::DialChannel(master, cfg_);
  if (!channel.ok()) return channel.status();
  *described = in_process_.master ? master + " (in process)" : master;
  return std::shared_ptr<MasterSource>(std::make_shared<FixedMaster>(master, *channel));
}

absl::Status Agent::Serve() {
  if (auto s = ServeLocal(); !s.ok()) return s;
  auto control = rpc::ControlVerifierFor(cfg_);
  if (!control.ok()) return control.status();
  AgentServiceOptions options;
  options.control = std::move(*control);
  options.version = ASGARD_VERSION;
  options.started_at = time(nullptr);
  options.on_sync = [this] {
    if (uplink_) uplink_->SyncNow();
  };
  service_ = std::make_unique<AgentService>(*loop_, *host_, options);
  auto server = rpc::StartServer({.ip = cfg_.agent.rpc_ip,
                                  .port = cfg_.agent.rpc_port,
                                  .role = "agent",
                                  .keys_set = rpc::AgentKeysSet(cfg_),
                                  .keys = "rpc.control_token_hash"},
                                 cfg_, {service_.get()});
  if (!server.ok()) return server.status();
  server_ = std::move(*server);
  if (!server_.warning.empty()) std::cerr << "warning: " << server_.warning << std::endl;
  if (auto s = rpc::WriteAddrFile(runtime_, "agent", server_.address); !s.ok()) return s;
  spdlog::info("listening on {}{}", server_.address, server_.tls ? " (TLS)" : "");
  std::cout << "listening on " << server_.address << std::endl;

  auto cached = LoadAssignmentCache(runtime_ + "/agent-assignment.pb");
  if (!cached.ok()) spdlog::warn("{}", cached.status().message());
  UplinkOptions up;
  auto token = rpc::AgentToken(cfg_);
  if (!token.ok()) return token.status();
  auto key = rpc::AgentKey(cfg_);
  if (!key.ok()) return key.status();
  up.token = std::move(*token);
  up.key = std::move(*key);
  std::string bound_host = server_.address.substr(0, server_.address.rfind(':'));
  up.ip = AnnouncedIp(cfg_.agent.rpc_ip, bound_host);
  up.port = std::stoi(server_.address.substr(server_.address.rfind(':') + 1));
  up.uuid = NewUuid();
  up.version = ASGARD_VERSION;
  if (cached.ok()) up.cached = std::move(*cached);
  if (in_process_.on_serving) {
    in_process_.on_serving(absl::StrCat(up.ip, ":", up.port),
                           server_.server->InProcessChannel(rpc::ChannelArgs()));
  }
  std::string master;
  auto masters = Masters(absl::StrCat(up.ip, ":", up.port), &master);
  if (!masters.ok()) return masters.status();
  uplink_ = std::make_unique<Uplink>(*loop_, *host_, *spool_, *masters, std::move(up));
  if (cluster_masters_) cluster_masters_->OnChange([this] { uplink_->MastersChanged(); });
  if (auto s = ServeProbe(master); !s.ok()) return s;
  spdlog::info("master at {}", master);
  uplink_->Start();
  return absl::OkStatus();
}

// /health and /metrics on agent.rpc.ip:agent.metrics_port, when the key is set; loopback when
// agent.rpc.ip is empty (the probe has no login, so it goes no wider than the operator says).
absl::Status Agent::ServeProbe(const std::string& master) {
  if (!cfg_.agent.metrics_port) return absl::OkStatus();
  auto probe = probe::ProbeServer::Start(
      {.role = "agent",
       .key = "agent.metrics_port",
       .ip = cfg_.agent.rpc_ip.empty() ? "127.0.0.1" : cfg_.agent.rpc_ip,
       .port = *cfg_.agent.metrics_port},
      AgentProbeSources({*loop_, *host_, *spool_, *uplink_, master}));
  if (!probe.ok()) return probe.status();
  probe_ = std::move(*probe);
  spdlog::info("agent /health and /metrics on http://{}", probe_->address());
  return rpc::WriteAddrFile(runtime_, "agent.metrics", probe_->address());
}

void Agent::OnStop() {
  // The uplink thread waits on the loop; stop it while the loop still runs.
  loop_->Post([this] {
    std::thread([this] {
      uplink_->Stop();
      if (cluster_masters_) cluster_masters_->OnChange(nullptr);
      loop_->Post([this] { host_->StopAll([this] { loop_->Stop(); }); });
    }).detach();
  });
}

void Agent::Shutdown() {
  if (probe_) {
    probe_.reset();  // its sources read the loop, which no longer runs
    unlink((runtime_ + "/agent.metrics.addr").c_str());
  }
  service_->Shutdown();
  server_.server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  // Archives of the runs just stopped: spooled, and sent if the master answers quickly.
  uplink_->FlushOnce(host_->TakeReports(), std::chrono::milliseconds(2000));
  unlink((runtime_ + "/agent.addr").c_str());
  local_.reset();
  unlink((runtime_ + "/asgard_agent").c_str());
}

int Agent::Run() {
  if (auto s = Prepare(); !s.ok()) {
    return standalone::RoleFailure("agent", std::string(s.message()),
                                   standalone::RoleSetupExitCode(s));
  }
  if (auto s = Serve(); !s.ok()) {
    return standalone::RoleFailure("agent", std::string(s.message()),
                                   standalone::RoleSetupExitCode(s));
  }
  scaffold_->Every(std::chrono::seconds(cfg_.system.moniter), [this] { host_->SampleTasks(); });
  scaffold_->Every(std::chrono::seconds(cfg_.agent.moniter), [this] { host_->SampleSelf(); });
  loop_->OnClockJump([this] { host_->OnClockJump(); });
  loop_->Run();
  Shutdown();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int RunAgent(const std::string& conf_dir) {
  auto cfg = standalone::SetupRole("agent", conf_dir);
  if (!cfg.ok()) {
    std::cerr << "asgard agent: " << cfg.status().message() << std::endl;
    return standalone::RoleSetupExitCode(cfg.status());
  }
  return RunAgentWith(std::move(*cfg), {});
}

int RunAgentWith(config::Config config, InProcess in_process) {
  Agent agent(std::move(config), std::move(in_process));
  return agent.Run();
}

}  // namespace asgard::agent
