#include "rpc/endpoint.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "rpc/credentials.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "spdlog/spdlog.h"

namespace asgard::rpc {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(
        absl::StrCat("rpc.tls.", key, ": cannot read '", path, "'"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().find("-----BEGIN") == std::string::npos) {
    return absl::FailedPreconditionError(
        absl::StrCat("rpc.tls.", key, ": '", path, "' is not a PEM file"));
  }
  return text.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(
    const config::TlsConfig& tls) {
  if (!TlsEnabled(tls)) return grpc::InsecureServerCredentials();
  if (tls.cert.empty() || tls.key.empty()) {
    return absl::FailedPreconditionError(
        "rpc.tls: a server needs both cert and key (ca alone only verifies servers)");
  }
  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  auto key = ReadPem(tls.key, "key");
  if (!key.ok()) return key.status();
  auto cert = ReadPem(tls.cert, "cert");
  if (!cert.ok()) return cert.status();
  pair.private_key = *key;
  pair.cert_chain = *cert;
  options.pem_key_cert_pairs.push_back(std::move(pair));
  if (!tls.ca.empty()) {
    // Mutual TLS: only clients whose certificate the ca signed get in.
    auto ca = ReadPem(tls.ca, "ca");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(
    const config::TlsConfig& tls) {
  if (!TlsEnabled(tls)) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions options;
  if (!tls.ca.empty()) {
    auto ca = ReadPem(tls.ca, "ca");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
  }
  if (!tls.cert.empty() && !tls.key.empty()) {
    auto key = ReadPem(tls.key, "key");
    if (!key.ok()) return key.status();
    auto cert = ReadPem(tls.cert, "cert");
    if (!cert.ok()) return cert.status();
    options.pem_private_key = *key;
    options.pem_cert_chain = *cert;
  }
  return grpc::SslCredentials(options);
}

}  // namespace

bool TlsEnabled(const config::TlsConfig& tls) { return !tls.cert.empty() || !tls.ca.empty(); }

std::string BindAddress(const std::string& ip, bool keys_set, const std::string& keys,
                        std::string* warning) {
  if (keys_set) return ip.empty() ? "0.0.0.0" : ip;
  if (!ip.empty() && IsLoopback(ip)) return ip;
  if (warning) {
    *warning = absl::StrCat("no ", keys, " is set: listening on 127.0.0.1 only",
                            ip.empty() ? "" : absl::StrCat(" (not ", ip, ")"), "; set ", keys,
                            " to accept other hosts (docs/config.md, rpc)");
  }
  return "127.0.0.1";
}

std::string InClearWarning(const std::string& role) {
  return absl::StrCat(role,
                      ": RPC credentials and task definitions travel in clear off loopback; set "
                      "rpc.tls.cert, rpc.tls.key and rpc.tls.ca");
}

absl::StatusOr<ListeningServer> StartServer(const ListenOn& where, const config::Config& config,
                                            const std::vector<grpc::Service*>& services) {
  auto credentials = ServerCredentials(config.rpc_tls);
  if (!credentials.ok()) return credentials.status();
  std::string warning;
  std::string ip = BindAddress(where.ip, where.keys_set, where.keys, &warning);
  if (!warning.empty()) spdlog::warn("{}: {}", where.role, warning);
  const bool in_clear = !TlsEnabled(config.rpc_tls) && !IsLoopback(ip);
  if (in_clear) spdlog::warn("{}", InClearWarning(where.role));
  grpc::ServerBuilder builder;
  int bound_port = 0;
  std::string host = ip.find(':') != std::string::npos ? absl::StrCat("[", ip, "]") : ip;
  builder.AddListeningPort(absl::StrCat(host, ":", where.port), *credentials, &bound_port);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  // gRPC sets SO_REUSEPORT by default: a second master on the same port would then share it
  // silently instead of failing with "address in use".
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  for (grpc::Service* service : services) builder.RegisterService(service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound_port == 0) {
    return absl::UnavailableError(
        absl::StrCat(where.role, ": cannot listen on ", host, ":", where.port,
                     " (address in use, or not an address of this host)"));
  }
  ListeningServer out;
  out.server = std::move(server);
  out.address = absl::StrCat(host, ":", bound_port);
  out.tls = TlsEnabled(config.rpc_tls);
  out.warning = warning;
  out.in_clear = in_clear;
  return out;
}

grpc::ChannelArguments ChannelArgs() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  args.SetMaxSendMessageSize(kMaxMessageBytes);
  // Reconnect quickly after a master restart rather than after gRPC's default of up to 120 s.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
  return args;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> DialChannel(const std::string& target,
                                                           const config::Config& config) {
  auto credentials = ClientCredentials(config.rpc_tls);
  if (!credentials.ok()) return credentials.status();
  return grpc::CreateCustomChannel(target, *credentials, ChannelArgs());
}

absl::Status WriteAddrFile(const std::string& runtime_dir, const std::string& role,
                           const std::string& address) {
  std::string path = absl::StrCat(runtime_dir, "/", role, ".addr");
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << address << "\n";
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

}  // namespace asgard::rpc
