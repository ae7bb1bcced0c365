// File: role_setup.h
// What every long-running role does first: load <conf_dir>/app.yaml, create runtime_dir (0700)
// and start the role's own log (<log dir>/<role>.log). Errors are printed to stderr by the
// caller with the exit code RoleSetupExitCode gives (2 for a bad or missing file, else 1).
//
//   auto config = SetupRole("master", flags.conf_dir);
//   if (!config.ok()) { std::cerr << "asgard master: " << config.status().message() << "\n";
//                       return RoleSetupExitCode(config.status()); }
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "config/config.h"

namespace asgard::standalone {

struct RoleSetupOptions {
  // Use the built-in defaults when app.yaml does not exist (`asgard all`), instead of failing.
  bool defaults_when_missing = false;
};

absl::StatusOr<config::Config> SetupRole(const std::string& role, const std::string& conf_dir,
                                         const RoleSetupOptions& options = {});

// 2 for configuration errors (InvalidArgument, NotFound), 1 otherwise.
int RoleSetupExitCode(const absl::Status& status);

// A role failed at runtime: logs `what` and prints "asgard <role>: <what>" on stderr; returns
// `exit_code`.
int RoleFailure(const std::string& role, const std::string& what, int exit_code = 1);

// component.db.asgard, or the SQLite default.
config::DbConfig AsgardDb(const config::Config& config);

// Blocks until SIGTERM, SIGINT or SIGQUIT (blocked in main) and returns it; SIGHUP is logged
// as having nothing to reload for `role`.
int WaitForStopSignal(const std::string& role);

}  // namespace asgard::standalone
