// File: endpoint.h
// How master and agent listen and how clients dial them, in one place: rpc.tls turned into
// gRPC's own SSL credentials (mutual TLS when rpc.tls.ca is set), the loopback-only rule when
// no rpc.token is set (SPEC.md section 5), message size limits, and no reflection.
//
//   ASSIGN_OR_RETURN(ListeningServer s,
//                    StartServer({.ip = cfg.master.ip, .port = cfg.master.port, .role = "master"},
//                                cfg, {&master_service}));
//   std::cout << "listening on " << s.address << "\n";
//   ASSIGN_OR_RETURN(auto channel, DialChannel("10.0.0.5:27149", cfg));
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "config/config.h"
#include "grpcpp/channel.h"
#include "grpcpp/server.h"
#include "grpcpp/support/channel_arguments.h"
#include "grpcpp/support/config.h"

namespace grpc {
class Service;
}

namespace asgard::rpc {

// Largest request or response either side accepts (a report batch, a log tail).
inline constexpr int kMaxMessageBytes = 16 * 1024 * 1024;

struct ListenOn {
  std::string ip;  // "" = every interface (0.0.0.0) when the keys are set
  int port = 0;    // 0 = any free port
  std::string role;
  // Whether the keys that let other hosts call this role are set (credentials.h); without
  // them it listens on loopback only, and `keys` names them in the warning.
  bool keys_set = false;
  std::string keys;
};

struct ListeningServer {
  std::unique_ptr<grpc::Server> server;
  std::string address;  // ip:port actually bound, e.g. "127.0.0.1:40123"
  bool tls = false;
  std::string warning;  // e.g. loopback only for want of keys; also logged
  // Bound off loopback without TLS: tokens and task definitions cross the network readable
  // (the original had neither auth nor TLS, so this warns rather than refuses).
  bool in_clear = false;
};

// Where a role must bind: without its keys only loopback (an explicit other ip is replaced by
// 127.0.0.1 and `warning` says so, naming `keys`). Exposed for tests.
std::string BindAddress(const std::string& ip, bool keys_set, const std::string& keys,
                        std::string* warning);

// Whether rpc.tls turns TLS on (a cert, or a ca to verify servers with).
bool TlsEnabled(const config::TlsConfig& tls);

// The sentence the start-up log, /health and the console use for credentials sent in clear.
std::string InClearWarning(const std::string& role);

// Builds and starts a gRPC server for `services`; FailedPrecondition when a TLS file cannot be
// read, Unavailable when the address cannot be bound.
absl::StatusOr<ListeningServer> StartServer(const ListenOn& where, const config::Config& config,
                                            const std::vector<grpc::Service*>& services);

// A channel to `target` (host:port) with TLS when rpc.tls is configured (the ca verifies the
// server; cert and key are presented for mutual TLS) and the message size limits.
absl::StatusOr<std::shared_ptr<grpc::Channel>> DialChannel(const std::string& target,
                                                           const config::Config& config);

// The channel arguments of every client channel (message size limits, reconnect backoff).
grpc::ChannelArguments ChannelArgs();

// Writes `address` to <runtime_dir>/<role>.addr (what tests and `agent status` read).
absl::Status WriteAddrFile(const std::string& runtime_dir, const std::string& role,
                           const std::string& address);

}  // namespace asgard::rpc
