#include "standalone/role_setup.h"

#include <signal.h>

#include <iostream>

#include "common/logging.h"
#include "spdlog/spdlog.h"

namespace asgard::standalone {

absl::StatusOr<config::Config> SetupRole(const std::string& role, const std::string& conf_dir,
                                         const RoleSetupOptions& options) {
  std::string file = conf_dir + "/app.yaml";
  auto loaded = config::LoadConfigFile(file);
  if (!loaded.ok() && absl::IsNotFound(loaded.status()) && options.defaults_when_missing) {
    loaded = config::LoadedConfig{};
    std::cerr << "asgard " << role << ": " << file << " not found, using built-in defaults"
              << std::endl;
  }
  if (!loaded.ok()) return loaded.status();
  for (const auto& w : loaded->warnings) std::cerr << "warning: " << w << std::endl;
  config::Config& cfg = loaded->config;
  if (auto s = MakeDirs(cfg.runtime_dir, 0700); !s.ok()) {
    return absl::Status(s.code(), "runtime_dir: " + std::string(s.message()));
  }
  LogOptions log{cfg.log.level, cfg.log.dir.empty() ? cfg.runtime_dir : cfg.log.dir,
                 cfg.log.console};
  if (auto s = SetupLogging(log, role); !s.ok()) return s;
  for (const auto& w : loaded->warnings) spdlog::warn("{}", w);
  return std::move(cfg);
}

int RoleSetupExitCode(const absl::Status& status) {
  return absl::IsInvalidArgument(status) || absl::IsNotFound(status) ? 2 : 1;
}

int RoleFailure(const std::string& role, const std::string& what, int exit_code) {
  spdlog::error("{}", what);
  std::cerr << "asgard " << role << ": " << what << std::endl;
  return exit_code;
}

config::DbConfig AsgardDb(const config::Config& config) {
  auto it = config.db.find("asgard");
  return it == config.db.end() ? config::DbConfig{} : it->second;
}

int WaitForStopSignal(const std::string& role) {
  sigset_t mask;
  sigemptyset(&mask);
  for (int sig : {SIGTERM, SIGINT, SIGQUIT, SIGHUP}) sigaddset(&mask, sig);
  while (true) {
    int sig = sigwaitinfo(&mask, nullptr);
    if (sig == SIGHUP) {
      spdlog::info("SIGHUP: `asgard {}` has nothing to reload (restart it for config changes)",
                   role);
      continue;
    }
    if (sig > 0) return sig;
  }
}

}  // namespace asgard::standalone
