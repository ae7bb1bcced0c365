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
#include "web/cors.h"
#include "web/web_api.h"

#ifndef ASGARD_SOURCE_DIR
#define ASGARD_SOURCE_DIR ""
#endif
#ifndef ASGARD_INSTALL_DATADIR
#define ASGARD_INSTALL_DATADIR ""
#endif

namespace asgard::web {
namespace {

// Pool threads of the HTTP server: each keep-alive connection and each open live stream holds
// one, so this bounds connections served at once (others wait in the listen queue).
constexpr size_t kHttpThreads = 256;

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// Debian's cpp-httplib compresses with brotli at quality 11 whenever a browser accepts `br`:
// ~3 s of CPU for the console's 735 KB script on every load, to save 47 KB over gzip. Editing
// the request's Accept-Encoding before the library reads it is the only switch it offers; the
// request is the library's own mutable object, handed to handlers as const.
httplib::Server::HandlerResponse KeepGzipOnly(const httplib::Request& req, httplib::Response&) {
  if (req.has_header("Accept-Encoding")) {
    std::string accepted = req.get_header_value("Accept-Encoding");
    auto& headers = const_cast<httplib::Request&>(req).headers;
    headers.erase("Accept-Encoding");
    if (accepted.find("gzip") != std::string::npos) headers.emplace("Accept-Encoding", "gzip");
  }
  return httplib::Server::HandlerResponse::Unhandled;
}

class RunningWeb final : public WebNode {
 public:
  RunningWeb(store::Store& store, const config::Config& config, std::string secret,
             std::string control_token)
      : config_(config),
        api_(store, config_, std::move(secret), std::move(control_token)),
        cors_(config.web.cors_origins) {}
  ~RunningWeb() override { Stop(); }

  absl::Status Listen(const std::string& default_ip) {
    // cpp-httplib takes ownership of the queue it is given (its API wants a raw pointer).
    server_.new_task_queue = [] { return new httplib::ThreadPool(kHttpThreads); };
    server_.set_keep_alive_max_count(100000);
    // Headers and body go out in separate writes: without TCP_NODELAY, Nagle and the client's
    // delayed ACK hold every keep-alive answer for ~40 ms.
    server_.set_tcp_nodelay(true);
    // An idle keep-alive connection holds a pool thread, and Stop() waits for it: keep it short
    // so that SIGTERM stops the node within seconds (30 s made every stop that slow).
    server_.set_keep_alive_timeout(5);
    server_.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (cors_.AnswerPreflight(req, res)) return httplib::Server::HandlerResponse::Handled;
      return KeepGzipOnly(req, res);
    });
    server_.set_post_routing_handler(
        [this](const httplib::Request& req, httplib::Response& res) { cors_.Decorate(req, res); });
    server_.set_read_timeout(30);
    server_.set_payload_max_length(8 * 1024 * 1024);
    std::string static_dir = FindStaticDir(config_);
    if (static_dir.empty()) {
      spdlog::warn("no built console found (web.static_dir, web-ui/dist): serving the API only");
    } else {
      spdlog::info("console from {}", static_dir);
    }
    api_.Install(server_, static_dir);
    std::string ip = config_.web.ip.empty() ? default_ip : config_.web.ip;
    int port = config_.web.port;
    if (port == 0) {
      port = server_.bind_to_any_port(ip);
    } else if (!server_.bind_to_port(ip, port)) {
      port = -1;
    }
    if (port <= 0) {
      return absl::UnavailableError(absl::StrCat("web: cannot listen on ", ip, ":",
                                                 config_.web.port,
                                                 " (address in use, or not an address of this host)"));
    }
    address_ = absl::StrCat(ip, ":", port);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    return absl::OkStatus();
  }
  const std::string& address() const override { return address_; }
  void UseLocalAgent(const std::string& address, std::shared_ptr<grpc::Channel> channel) override {
    api_.UseLocalAgent(address, std::move(channel));
  }
  void Stop() override {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
  }

 private:
  const config::Config& config_;
  WebApi api_;
  const CorsPolicy cors_;
  httplib::Server server_;
  std::string address_;
  std::thread thread_;
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

absl::StatusOr<std::string> WebSecret(const config::Config& config) {
  if (!config.web.cookie_salt.empty()) return config.web.cookie_salt;
  return rpc::LocalSecret(config.runtime_dir, "web.secret");
}

absl::StatusOr<std::unique_ptr<WebNode>> WebNode::Start(store::Store& store,
                                                        const config::Config& config,
                                                        const std::string& default_ip) {
  auto secret = WebSecret(config);
  if (!secret.ok()) return secret.status();
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
