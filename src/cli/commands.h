// File: commands.h
// The `asgard` command line: one CLI11 subcommand per role (SPEC.md section 1). Each Add*
// function registers its subcommand; the chosen one stores what to run in `action`, which
// Main() calls after parsing so that no role runs inside CLI11's callbacks.
#pragma once

#include <functional>
#include <string>

#include "CLI/CLI.hpp"

namespace asgard::cli {

// Exit codes of every command (SPEC.md section 1).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // daemon not reachable, start failed, unknown name
inline constexpr int kExitUsage = 2;    // bad flags, bad config, bad spec

using Action = std::function<int()>;

// Flags of `guard` / `cron` and their `status` and `show`.
struct LocalFlags {
  std::string conf_dir = "conf";
  std::string socket;  // "" = default for the role
  bool json = false;
  std::string name;  // show NAME
};

// Flags of `cron next`.
struct NextFlags {
  std::string spec;
  int count = 5;
  std::string tz;
  std::string from;
};

// Flags of `agent` and `agent status`.
struct AgentFlags {
  std::string conf_dir = "conf";
  std::string socket;
  int port = 0;  // the removed -p, to say so
  bool json = false;
};

// Flags of `debug mail` and `debug webhook`.
struct DebugFlags {
  std::string conf_dir = "conf";
  std::string receiver;
  std::string url;
  std::string type;
};

// Everything one command line sets, owned by Main() for the parse and the run.
struct Invocation {
  Action action;
  LocalFlags guard;
  LocalFlags cron;
  NextFlags next;
  std::string master_conf = "conf";
  AgentFlags agent;
  std::string web_conf = "conf";
  DebugFlags debug;
};

void AddGuardCommand(CLI::App& app, Invocation& inv);
void AddCronCommand(CLI::App& app, Invocation& inv);
void AddMasterCommand(CLI::App& app, Invocation& inv);
void AddAgentCommand(CLI::App& app, Invocation& inv);
// `web` and `all`.
void AddWebCommands(CLI::App& app, Invocation& inv);
// `asgard all` itself (all_command.cc).
int RunAll(const std::string& conf_dir);
// `debug mail` and `debug webhook`.
void AddDebugCommand(CLI::App& app, Invocation& inv);
// `cluster status`.
void AddClusterCommand(CLI::App& app, Invocation& inv);
// `token new` and `token hash`.
void AddTokenCommand(CLI::App& app, Invocation& inv);

// argv -> exit code.
int Main(int argc, char** argv);

}  // namespace asgard::cli
