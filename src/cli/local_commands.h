// File: local_commands.h
// The pieces `guard` and `cron` share: their daemon flags, and `status` / `show NAME` against
// the daemon's socket with table or --json output.
#pragma once

#include <string>

#include "asgard/v1/local.pb.h"
#include "cli/commands.h"
#include "standalone/daemon.h"

namespace asgard::cli {

using ListRenderer = std::string (*)(const asgard::v1::ListResponse&);

// Adds `status` and `show NAME` under `parent` (the role's subcommand).
void AddStatusAndShow(CLI::App& parent, const std::string& role, LocalFlags& flags,
                      ListRenderer render, Action& action);

// Adds -c/--conf and -s/--socket to `cmd`.
void AddDaemonFlags(CLI::App& cmd, LocalFlags& flags);

}  // namespace asgard::cli
