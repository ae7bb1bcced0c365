#include "web/web_role.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/absl_fmt.h"
#include "rpc/credentials.h"
#include "rpc/endpoint.h"
#include "rpc/task_definition.h"
#include "spdlog/spdlog.h"
#include "standalone/role_setup.h"
#include "http/server.h"
#include "web/client_address.h"
#include "web/cors.h"
#include "web/sessions.h"
#include "web/web_api.h"

#ifndef ASGARD_SOURCE_DIR
#define ASGARD_SOURCE_DIR ""
#endif
#ifndef ASGARD_INSTALL_DATADIR
#define ASGARD_INSTALL_DATADIR ""
#endif

namespace asgard::web {
namespace {

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

http::Limits LimitsOf(const config::Config& config, const ClientAddresses& clients) {
  http::Limits limits;
  const config::WebConfig& web = config.web;
  limits.max_connections = static_cast<size_t>(web.max_connections);
  limits.max_connections_per_client = static_cast<size_t>(web.max_connections_per_client);
  limits.unlimited_peer = [&clients](const std::string& peer) { return clients.IsTrustedProxy(peer); };
  limits.header_timeout = std::chrono::seconds(web.header_timeout);
  limits.idle_timeout = std::chrono::seconds(web.idle_timeout);
  return limits;
}

class RunningWeb final : public WebNode {
 public:
  RunningWeb(store::Store& store, const config::Config& config, std::string secret,
             std::string control_token)
      : config_(config),
        cors_(config.web.cors_origins),
        clients_(ClientsOf(config)),
        api_(store, config_, std::move(secret), std::move(control_token)) {}
  ~RunningWeb() override { Stop(); }

  absl::Status Listen(const std::string& default_ip) {
    router_.SetBefore([this](const http::Request& req, http::Response& res) {
      return cors_.AnswerPreflight(req, res);
    });
    router_.SetAfter(
        [this](const http::Request& req, http::Response& res) { cors_.Decorate(req, res); });
    std::string static_dir = FindStaticDir(config_);
    if (static_dir.empty()) {
      spdlog::warn("no built console found (web.static_dir, web-ui/dist): serving the API only");
    } else {
      spdlog::info("console from {}", static_dir);
    }
    api_.Install(router_, static_dir);
    server_.emplace(router_, LimitsOf(config_, clients_));
    api_.ReportServer([this] { return server_->stats(); });
    std::string ip = config_.web.ip.empty() ? default_ip : config_.web.ip;
    auto port = server_->Listen(ip, config_.web.port);
    if (!port.ok()) {
      return absl::UnavailableError(absl::StrCat("web: cannot listen on ", ip, ":",
                                                 config_.web.port, ": ", port.status().message(),
                                                 " (address in use, or not an address of this host)"));
    }
    address_ = absl::StrCat(ip, ":", *port);
    server_->Start();
    return absl::OkStatus();
  }
  const std::string& address() const override { return address_; }
  void UseLocalAgent(const std::string& address, std::shared_ptr<grpc::Channel> channel) override {
    api_.UseLocalAgent(address, std::move(channel));
  }
  void Stop() override {
    if (server_) server_->Stop();
  }

 private:
  const config::Config& config_;
  const CorsPolicy cors_;
  const ClientAddresses clients_;
  http::Router router_;
  // Stopped first (the destructor calls Stop), destroyed after the API: the live feeds' last
  // writes into closed streams still find the server's I/O context.
  std::optional<http::Server> server_;
  WebApi api_;
  std::string address_;
};

}  // namespace

void AnnounceWeb(const std::string& runtime_dir, const std::string& address) {
  if (auto s = rpc::WriteAddrFile(runtime_dir, "web", address); !s.ok()) {
    spdlog::warn("{}", s.message());
  }
  spdlog::info("listening on http://{}", address);
  std::cout << "listening on http://" << address << std::endl;
}

std::string FindStaticDir(const config::Config& config) {
  for (const std::string& dir :
       {config.web.static_dir, std::string(ASGARD_INSTALL_DATADIR) + "/web-ui",
        std::string(ASGARD_SOURCE_DIR) + "/web-ui/dist"}) {
    if (dir.rfind('/', 0) == 0 && Exists(dir + "/index.html")) return dir;
    if (!dir.empty() && dir == config.web.static_dir && Exists(dir + "/index.html")) return dir;
  }
  return "";
}

absl::StatusOr<std::string> WebSecret(const config::Config& config, store::Store& store) {
  if (!config.web.cookie_salt.empty()) return config.web.cookie_salt;
  // Insert-if-absent, then read back: nodes starting together all end up with the first one's.
  auto secret = store.GetOrCreateSetting("web_secret", RandomHex());
  if (!secret.ok()) {
    return absl::Status(secret.status().code(),
                        absl::StrCat("the session secret (web.cookie_salt is not set, so it is "
                                     "kept in the store): ",
                                     secret.status().message()));
  }
  return secret;
}

absl::StatusOr<std::unique_ptr<WebNode>> WebNode::Start(store::Store& store,
                                                        const config::Config& config,
                                                        const std::string& default_ip) {
  auto secret = WebSecret(config, store);
  if (!secret.ok()) return secret.status();
  // Without Redis the nodes share sessions through the store alone; what that means for a
  // logout is worth one line where several nodes can share a store. With Redis configured,
  // WebApi says whether it answers (and what it shares) instead.
  if (standalone::AsgardDb(config).driver == "mysql" && !config.redis.contains("asgard")) {
    spdlog::info(
        "web sessions are kept in the MySQL store and shared by every web node on it; without "
        "Redis (component.redis.asgard), a logout or revocation on another node is refused here "
        "within {} s, and its task writes show in lists here within {} s",
        kSessionCacheTtl.count(), kSessionCacheTtl.count());
  }
  auto control = rpc::ControlToken(config);
  if (!control.ok()) return control.status();
  auto node = std::make_unique<RunningWeb>(store, config, *secret, *control);
  if (auto s = node->Listen(default_ip); !s.ok()) return s;
  return node;
}

int RunWeb(const std::string& conf_dir) {
  auto cfg = standalone::SetupRole("web", conf_dir);
  if (!cfg.ok()) {
    std::cerr << "asgard web: " << cfg.status().message() << std::endl;
    return standalone::RoleSetupExitCode(cfg.status());
  }
  auto store = store::Store::Open(standalone::AsgardDb(*cfg), cfg->runtime_dir);
  if (!store.ok()) return standalone::RoleFailure("web", "store: " + std::string(store.status().message()));
  if (auto d = (*store)->AdminPasswordIsDefault(); d.ok() && *d) {
    spdlog::warn("the account admin still has the initial password 123456: log in and change it");
  }
  rpc::LogImportedRootTasks(**store);
  auto node = WebNode::Start(**store, *cfg, "0.0.0.0");
  if (!node.ok()) return standalone::RoleFailure("web", std::string(node.status().message()));
  AnnounceWeb(cfg->runtime_dir, (*node)->address());
  int sig = standalone::WaitForStopSignal("web");
  spdlog::info("signal {}: stopping", sig);
  (*node)->Stop();
  unlink((cfg->runtime_dir + "/web.addr").c_str());
  return 0;
}

}  // namespace asgard::web
