// `asgard token new` and `asgard token hash`: the control credential of SPEC 5. Web nodes (and
// masters) keep the token as rpc.control_token; agents keep only its argon2id hash as
// rpc.control_token_hash, so that root on one agent host cannot drive the others.
#include <unistd.h>

#include <iostream>
#include <string>

#include "cli/commands.h"
#include "rpc/auth.h"

namespace asgard::cli {
namespace {

int PrintHash(const std::string& token) {
  auto hash = rpc::HashControlToken(token);
  if (!hash.ok()) {
    std::cerr << "asgard token: " << hash.status().message() << std::endl;
    return kExitUsage;
  }
  std::cout << *hash << std::endl;
  return kExitOk;
}

int TokenNew() {
  const std::string token = rpc::NewSecret();
  auto hash = rpc::HashControlToken(token);
  if (!hash.ok()) {
    std::cerr << "asgard token new: " << hash.status().message() << std::endl;
    return kExitFailure;
  }
  std::cout << "# app.yaml of the web nodes and masters:\n"
            << "rpc:\n  control_token: " << token << "\n"
            << "# app.yaml of the agents (the hash only):\n"
            << "rpc:\n  control_token_hash: '" << *hash << "'\n";
  return kExitOk;
}

// The token from stdin (one line), so that it stays out of the process list and the history.
int TokenHash() {
  if (isatty(STDIN_FILENO)) std::cerr << "control token: " << std::flush;
  std::string token;
  if (!std::getline(std::cin, token) || token.empty()) {
    std::cerr << "asgard token hash: give the token on stdin (echo \"$TOKEN\" | asgard token hash)"
              << std::endl;
    return kExitUsage;
  }
  if (!token.empty() && token.back() == '\r') token.pop_back();
  return PrintHash(token);
}

}  // namespace

void AddTokenCommand(CLI::App& app, Invocation& inv) {
  CLI::App* token = app.add_subcommand(
      "token", "Make the control token of web nodes and its hash for agents (rpc.control_token)");
  token->require_subcommand(1);
  token->footer(
      "Web nodes and masters keep rpc.control_token; agents keep only rpc.control_token_hash,\n"
      "so that root on one agent host cannot drive the others. Without either, roles on one\n"
      "host share a token generated into <runtime_dir>/control.token.");
  token->add_subcommand("new", "Print a new random control token and its hash, as app.yaml lines")
      ->final_callback([&inv] { inv.action = [] { return TokenNew(); }; });
  token->add_subcommand("hash", "Print the argon2id hash of the control token read from stdin")
      ->final_callback([&inv] { inv.action = [] { return TokenHash(); }; });
}

}  // namespace asgard::cli
