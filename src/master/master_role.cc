#include "master/master_role.h"

#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <iostream>
#include <mutex>
#include <thread>

#include "common/absl_fmt.h"
#include "master/master_service.h"
#include "rpc/endpoint.h"
#include "spdlog/spdlog.h"
#include "standalone/role_setup.h"
#include "store/store.h"

namespace asgard::master {
namespace {

constexpr auto kSweepEvery = std::chrono::seconds(1);
constexpr auto kTablesEvery = std::chrono::hours(1);

// The maintenance thread: offline sweep every second, monitor tables every hour.
class Maintenance {
 public:
  Maintenance(MasterService& service, store::Store& store, int retention_months)
      : service_(service), store_(store), retention_(retention_months) {
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
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      lock.unlock();
      service_.SweepOffline();
      if (std::chrono::steady_clock::now() >= next_tables) {
        KeepTables();
        next_tables = std::chrono::steady_clock::now() + kTablesEvery;
      }
      lock.lock();
      wake_.wait_for(lock, kSweepEvery, [this] { return stop_; });
    }
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
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

config::DbConfig AsgardDb(const config::Config& cfg) {
  auto it = cfg.db.find("asgard");
  return it == cfg.db.end() ? config::DbConfig{} : it->second;
}

int WaitForStopSignal() {
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : {SIGTERM, SIGINT, SIGQUIT, SIGHUP}) sigaddset(&mask, sig);
  while (true) {
    int sig = sigwaitinfo(&mask, nullptr);
    if (sig == SIGHUP) {
      spdlog::info("SIGHUP: the master has nothing to reload (restart it for config changes)");
      continue;
    }
    if (sig > 0) return sig;
  }
}

int Fail(const std::string& what) {
  spdlog::error("{}", what);
  std::cerr << "asgard master: " << what << std::endl;
  return 1;
}

}  // namespace

int RunMaster(const std::string& conf_dir) {
  auto cfg = standalone::SetupRole("master", conf_dir);
  if (!cfg.ok()) {
    std::cerr << "asgard master: " << cfg.status().message() << std::endl;
    return standalone::RoleSetupExitCode(cfg.status());
  }
  auto store = store::Store::Open(AsgardDb(*cfg), cfg->runtime_dir);
  if (!store.ok()) return Fail("store: " + std::string(store.status().message()));
  MasterOptions options;
  options.token = cfg->rpc_token;
  options.name = cfg->master.ip + ":" + std::to_string(cfg->master.port);
  MasterService service(**store, options);
  auto server = rpc::StartServer({cfg->master.ip, cfg->master.port, "master"}, *cfg, {&service});
  if (!server.ok()) return Fail(std::string(server.status().message()));
  if (!server->warning.empty()) std::cerr << "warning: " << server->warning << std::endl;
  if (auto s = rpc::WriteAddrFile(cfg->runtime_dir, "master", server->address); !s.ok()) {
    return Fail(std::string(s.message()));
  }
  spdlog::info("listening on {}{}", server->address, server->tls ? " (TLS)" : "");
  std::cout << "listening on " << server->address << std::endl;
  int sig;
  {
    Maintenance maintenance(service, **store, cfg->master.retention);
    sig = WaitForStopSignal();
    spdlog::info("signal {}: stopping", sig);
  }
  server->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  unlink((cfg->runtime_dir + "/master.addr").c_str());
  spdlog::info("stopped");
  return 0;
}

}  // namespace asgard::master
