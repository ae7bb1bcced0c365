#include "agent/agent_role.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <pwd.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <iostream>

#include "absl/strings/str_cat.h"
#include "agent/agent_service.h"
#include "agent/assignment_cache.h"
#include "agent/report_spool.h"
#include "agent/task_host.h"
#include "agent/uplink.h"
#include "common/absl_fmt.h"
#include "common/uuid.h"
#include "process/posix_launcher.h"
#include "rpc/endpoint.h"
#include "spdlog/spdlog.h"
#include "standalone/fired_file.h"
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
  explicit Agent(config::Config config) : cfg_(std::move(config)) {}
  int Run();

 private:
  absl::Status Prepare();
  absl::Status Serve();
  void ArmSampling(std::chrono::seconds every, std::function<void()> sample);
  void OnSignal();
  void Shutdown();

  config::Config cfg_;
  std::string runtime_;
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<process::PosixLauncher> launcher_;
  std::unique_ptr<TaskHost> host_;
  std::unique_ptr<ReportSpool> spool_;
  std::unique_ptr<AgentService> service_;
  rpc::ListeningServer server_;
  std::unique_ptr<Uplink> uplink_;
  UniqueFd signals_;
  bool stopping_ = false;
};

// agent.task_user, or nobody when the agent is root (SPEC 2); InvalidArgument when that user
// does not exist, so that non-admin tasks cannot fall back to root.
absl::StatusOr<std::string> TaskUser(const config::AgentConfig& agent) {
  std::string name = agent.task_user.value_or(geteuid() == 0 ? "nobody" : "");
  if (name.empty()) return name;
  if (getpwnam(name.c_str()) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "agent.task_user: user '", name, "' does not exist (tasks of non-admin users run as it",
        agent.task_user ? "" : "; the default for an agent running as root is nobody", ")"));
  }
  return name;
}

absl::Status Agent::Prepare() {
  runtime_ = cfg_.runtime_dir;
  auto loop = EventLoop::Create();
  if (!loop.ok()) return loop.status();
  loop_ = std::move(*loop);
  auto launcher = process::PosixLauncher::Create(*loop_, "agent");
  if (!launcher.ok()) return launcher.status();
  launcher_ = std::move(*launcher);
  auto fired = standalone::FiredFile::Open(runtime_ + "/agent-timings.fired");
  if (!fired.ok()) return fired.status();
  auto task_user = TaskUser(cfg_.agent);
  if (!task_user.ok()) return task_user.status();
  if (!task_user->empty()) spdlog::info("tasks of non-admin users run as {}", *task_user);
  host_ = std::make_unique<TaskHost>(*loop_, *launcher_, std::move(*fired), *task_user);
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
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : {SIGTERM, SIGINT, SIGQUIT, SIGHUP}) sigaddset(&mask, sig);
  signals_.reset(signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  return loop_->Watch(signals_.get(), [this] { OnSignal(); });
}

absl::Status Agent::Serve() {
  AgentServiceOptions options;
  options.token = cfg_.rpc_token;
  options.version = ASGARD_VERSION;
  options.started_at = time(nullptr);
  options.on_sync = [this] {
    if (uplink_) uplink_->SyncNow();
  };
  service_ = std::make_unique<AgentService>(*loop_, *host_, options);
  auto server = rpc::StartServer({cfg_.agent.rpc_ip, cfg_.agent.rpc_port, "agent"}, cfg_,
                                 {service_.get()});
  if (!server.ok()) return server.status();
  server_ = std::move(*server);
  if (!server_.warning.empty()) std::cerr << "warning: " << server_.warning << std::endl;
  if (auto s = rpc::WriteAddrFile(runtime_, "agent", server_.address); !s.ok()) return s;
  spdlog::info("listening on {}{}", server_.address, server_.tls ? " (TLS)" : "");
  std::cout << "listening on " << server_.address << std::endl;

  auto cached = LoadAssignmentCache(runtime_ + "/agent-assignment.pb");
  if (!cached.ok()) spdlog::warn("{}", cached.status().message());
  std::string master = absl::StrCat(cfg_.agent.master_ip, ":", cfg_.agent.master_port);
  auto channel = rpc::DialChannel(master, cfg_);
  if (!channel.ok()) return channel.status();
  UplinkOptions up;
  up.token = cfg_.rpc_token;
  std::string bound_host = server_.address.substr(0, server_.address.rfind(':'));
  up.ip = AnnouncedIp(cfg_.agent.rpc_ip, bound_host);
  up.port = std::stoi(server_.address.substr(server_.address.rfind(':') + 1));
  up.uuid = NewUuid();
  up.version = ASGARD_VERSION;
  if (cached.ok()) up.cached = std::move(*cached);
  uplink_ = std::make_unique<Uplink>(*loop_, *host_, *spool_, *channel, std::move(up));
  spdlog::info("master at {}", master);
  uplink_->Start();
  return absl::OkStatus();
}

void Agent::ArmSampling(std::chrono::seconds every, std::function<void()> sample) {
  loop_->RunAfter(every, [this, every, sample] {
    if (stopping_) return;
    sample();
    ArmSampling(every, sample);
  });
}

void Agent::OnSignal() {
  signalfd_siginfo info;
  while (read(signals_.get(), &info, sizeof(info)) == sizeof(info)) {
    int sig = static_cast<int>(info.ssi_signo);
    if (sig == SIGHUP) {
      spdlog::info("SIGHUP: the agent's tasks come from the master; nothing to reload");
      continue;
    }
    if (stopping_) {
      spdlog::warn("second stop signal: killing what is left");
      loop_->Stop();
      return;
    }
    stopping_ = true;
    spdlog::info("signal {}: stopping every task", sig);
    // The uplink thread waits on the loop; stop it while the loop still runs.
    loop_->Post([this] {
      std::thread([this] {
        uplink_->Stop();
        loop_->Post([this] { host_->StopAll([this] { loop_->Stop(); }); });
      }).detach();
    });
  }
}

void Agent::Shutdown() {
  service_->Shutdown();
  server_.server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  // Archives of the runs just stopped: spooled, and sent if the master answers quickly.
  uplink_->FlushOnce(host_->TakeReports(), std::chrono::milliseconds(2000));
  unlink((runtime_ + "/agent.addr").c_str());
}

int Agent::Run() {
  if (auto s = Prepare(); !s.ok()) {
    return standalone::RoleFailure("agent", std::string(s.message()),
                                   standalone::RoleSetupExitCode(s));
  }
  if (auto s = Serve(); !s.ok()) {
    return standalone::RoleFailure("agent", std::string(s.message()));
  }
  ArmSampling(std::chrono::seconds(std::max(1, cfg_.system.moniter)),
              [this] { host_->SampleTasks(); });
  ArmSampling(std::chrono::seconds(std::max(1, cfg_.agent.moniter)),
              [this] { host_->SampleSelf(); });
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
  return RunAgentWith(std::move(*cfg));
}

int RunAgentWith(config::Config config) {
  Agent agent(std::move(config));
  return agent.Run();
}

}  // namespace asgard::agent
