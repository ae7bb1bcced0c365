// File: credentials.h
// Which credential each role presents and checks (SPEC 5), from app.yaml or, for a key that is
// not set, from a secret generated once into runtime_dir (0600, in a 0700 directory) that the
// roles of the same host share. Loopback is not authentication: without keys the roles still
// authenticate every call, with secrets no other local account can read; a layout across hosts
// must set the keys, and the errors say which.
//
//   ASSIGN_OR_RETURN(std::string token, AgentToken(cfg));        // agent -> master
//   ASSIGN_OR_RETURN(std::string control, ControlToken(cfg));    // web -> agent
//   ASSIGN_OR_RETURN(auto verifier, ControlVerifierFor(cfg));   // the agent's check
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "config/config.h"
#include "rpc/auth.h"

namespace asgard::rpc {

// <runtime_dir>/<name>: read, or made (64 random hex digits, 0600) when missing. Two processes
// starting together get the same secret (the file appears whole, by link()).
absl::StatusOr<std::string> LocalSecret(const std::string& runtime_dir, const std::string& name);

// rpc.token, else runtime/rpc.token.
absl::StatusOr<std::string> AgentToken(const config::Config& cfg);
// rpc.control_token, else runtime/control.token (web nodes and masters).
absl::StatusOr<std::string> ControlToken(const config::Config& cfg);
// What an agent checks control calls against: rpc.control_token_hash, else rpc.control_token,
// else runtime/control.token.
absl::StatusOr<std::unique_ptr<ControlVerifier>> ControlVerifierFor(const config::Config& cfg);
// The agent's own key, runtime/agent.key (its hash identifies the agent to masters).
absl::StatusOr<std::string> AgentKey(const config::Config& cfg);

// Whether the keys that let a role be reached from other hosts are set: rpc.token for a
// master, the control token or its hash for an agent.
bool MasterKeysSet(const config::Config& cfg);
bool AgentKeysSet(const config::Config& cfg);

// A loopback address (127.0.0.0/8, ::1, localhost).
bool IsLoopback(const std::string& ip);

}  // namespace asgard::rpc
