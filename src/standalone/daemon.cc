#include "standalone/daemon.h"

#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "common/absl_fmt.h"
#include "common/logging.h"
#include "role/role_scaffold.h"
#include "spdlog/spdlog.h"
#include "standalone/local_server.h"
#include "standalone/role_setup.h"
#include "standalone/unix_socket.h"

namespace asgard::standalone {
namespace {

std::string AbsolutePath(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[4096];
  if (!getcwd(cwd, sizeof(cwd))) return path;
  return std::string(cwd) + "/" + path;
}

std::string ParentDir(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

// Everything that lives while the daemon runs, torn down in reverse order.
class Daemon {
 public:
  Daemon(const DaemonOptions& options, config::Config config)
      : options_(options), config_(std::move(config)) {}

  int Run(const RoleFactory& make_role);

 private:
  absl::Status Prepare(const RoleFactory& make_role);
  absl::Status Serve();
  void Reload();
  void Cleanup();

  DaemonOptions options_;
  config::Config config_;
  std::string socket_;     // absolute
  std::string addr_file_;  // runtime/<role>.addr
  std::unique_ptr<role::RoleScaffold> scaffold_;  // loop, launcher, signals, sampling
  std::unique_ptr<runtime::TaskRole> role_;
  std::unique_ptr<LocalServer> server_;
};

absl::Status Daemon::Prepare(const RoleFactory& make_role) {
  std::string socket = options_.socket_path.empty()
                           ? config_.runtime_dir + "/asgard_" + options_.role
                           : options_.socket_path;
  if (auto s = MakeDirs(ParentDir(socket), 0700); !s.ok()) return s;
  socket_ = AbsolutePath(socket);
  if (auto s = ClaimSocketPath(socket_); !s.ok()) return s;
  auto scaffold = role::RoleScaffold::Create(options_.role);
  if (!scaffold.ok()) return scaffold.status();
  scaffold_ = std::move(*scaffold);
  auto role = make_role(scaffold_->loop(), scaffold_->launcher(), config_);
  if (!role.ok()) return role.status();
  role_ = std::move(*role);
  return scaffold_->WatchSignals(
      {.on_stop = [this](int) { role_->StopAll([this] { scaffold_->loop().Stop(); }); },
       .on_reload = [this] { Reload(); }});
}

absl::Status Daemon::Serve() {
  auto server = LocalServer::Listen(
      scaffold_->loop(),
      [this](const v1::LocalRequest& r) { return HandleStandalone(*role_, r); }, socket_);
  if (!server.ok()) {
    return absl::UnavailableError("cannot listen on unix:" + socket_ + ": " +
                                  std::string(server.status().message()));
  }
  server_ = std::move(*server);
  addr_file_ = config_.runtime_dir + "/" + options_.role + ".addr";
  std::ofstream(addr_file_, std::ios::trunc) << "unix:" << socket_ << "\n";
  spdlog::info("listening on unix:{}", socket_);
  if (!config_.log.console) std::cout << "listening on unix:" << socket_ << std::endl;
  return absl::OkStatus();
}

void Daemon::Reload() {
  std::string file = options_.conf_dir + "/app.yaml";
  auto loaded = config::LoadConfigFile(file);
  if (!loaded.ok()) {
    spdlog::error("reload failed, keeping the running configuration: {}",
                  loaded.status().message());
    return;
  }
  for (const auto& w : loaded->warnings) spdlog::warn("{}", w);
  if (loaded->config.runtime_dir != config_.runtime_dir) {
    spdlog::warn("runtime_dir changed; it takes effect at the next start");
  }
  spdlog::info("reloading {}", file);
  config_.tasks = std::move(loaded->config.tasks);
  role_->Apply(config_.tasks);
  malloc_trim(0);
}

void Daemon::Cleanup() {
  if (server_) unlink(socket_.c_str());
  server_.reset();
  if (!addr_file_.empty()) unlink(addr_file_.c_str());
}

int Daemon::Run(const RoleFactory& make_role) {
  if (auto s = Prepare(make_role); !s.ok()) {
    spdlog::error("{}", s.message());
    std::cerr << "asgard " << options_.role << ": " << s.message() << std::endl;
    return 1;
  }
  role_->Apply(config_.tasks);
  // The YAML parse of a large app.yaml leaves hundreds of MB freed but kept by malloc.
  malloc_trim(0);
  if (auto s = Serve(); !s.ok()) {
    std::cerr << "asgard " << options_.role << ": " << s.message() << std::endl;
    role_->StopAll([this] { scaffold_->loop().Stop(); });
    scaffold_->loop().Run();
    return 1;
  }
  scaffold_->Every(std::chrono::seconds(config_.system.moniter), [this] { role_->Sample(); });
  scaffold_->loop().OnClockJump([this] { role_->OnClockJump(); });
  scaffold_->loop().Run();
  Cleanup();
  spdlog::info("stopped");
  return 0;
}

}  // namespace

void BlockDaemonSignals() { role::BlockRoleSignals(); }

std::string DefaultSocketPath(const std::string& role, const std::string& conf_dir,
                              const std::string& socket_flag) {
  if (!socket_flag.empty()) return socket_flag;
  return config::ReadRuntimeDir(conf_dir + "/app.yaml") + "/asgard_" + role;
}

int RunDaemon(const DaemonOptions& options, const RoleFactory& make_role) {
  auto config = SetupRole(options.role, options.conf_dir);
  if (!config.ok()) {
    std::cerr << "asgard " << options.role << ": " << config.status().message() << std::endl;
    return RoleSetupExitCode(config.status());
  }
  Daemon daemon(options, std::move(*config));
  return daemon.Run(make_role);
}

}  // namespace asgard::standalone
