// File: probe_server.h
// The small HTTP listener of a master or an agent (`metrics_port`): GET /health and
// GET /metrics, nothing else. It runs on our own HTTP front (src/http) sized for a probe: one
// I/O thread, two workers, a few connections. What it says comes from sources the role
// provides, so later parts of a role (cluster membership, leadership) add facts and metrics by
// adding a source, without touching this server.
//
//   ProbeSources sources;
//   sources.health.push_back([&](HealthReport& h) {
//     h.Set("store", store_ok);
//     if (!store_ok) h.Degrade("the store does not answer");
//   });
//   sources.metrics.push_back([&](PrometheusText& out) { out.Single(...); });
//   ASSIGN_OR_RETURN(auto probe, ProbeServer::Start({.role = "master",
//                                                    .key = "master.metrics_port",
//                                                    .ip = "127.0.0.1", .port = 0},
//                                                   std::move(sources)));
//   spdlog::info("health and metrics on http://{}", probe->address());
//
// /health answers 200 {"status":"ok","role":...,<facts>} or, when a source degraded it, 503
// {"status":"degraded","role":...,<facts>,"problems":[...]}. /metrics answers the sources'
// families plus the process's own (resident memory, threads, open files).
//
// Thread-safety: sources run on the server's worker threads, one request at a time per worker
// (two may run at once); they may wait briefly (a store query, the role's event loop) and must
// be safe to call from those threads. Start and the destructor from the owner.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "probe/prometheus_text.h"

namespace asgard::probe {

// What the sources say for one /health answer.
class HealthReport {
 public:
  // A fact of the answer; a later Set of the same key replaces it.
  void Set(const std::string& key, nlohmann::json value) { facts_[key] = std::move(value); }
  // The role is not healthy: the answer is 503, status "degraded", and `reason` is listed in
  // "problems".
  void Degrade(std::string reason) { problems_.push_back(std::move(reason)); }
  bool healthy() const { return problems_.empty(); }

  // The answer's JSON, status and role first.
  std::string ToJson(const std::string& role) const;

 private:
  nlohmann::json facts_ = nlohmann::json::object();
  std::vector<std::string> problems_;
};

using HealthSource = std::function<void(HealthReport&)>;
using MetricsSource = std::function<void(PrometheusText&)>;

struct ProbeSources {
  std::vector<HealthSource> health;
  std::vector<MetricsSource> metrics;
};

// One answer, as the server sends it (tests read these without a server).
struct ProbeAnswer {
  int status = 200;
  std::string body;
};
ProbeAnswer AnswerHealth(const std::string& role, const ProbeSources& sources);
ProbeAnswer AnswerMetrics(const ProbeSources& sources);

// The process's own families (process_resident_memory_bytes, process_threads,
// process_open_fds), from /proc/self; what cannot be read is left out.
void WriteProcessMetrics(PrometheusText& out);

struct ProbeOptions {
  std::string role;  // "master", "agent": in /health
  std::string key;   // the config key of the port, named when it cannot be bound
  std::string ip;    // an IP address of this host
  int port = 0;      // 0: any free port
};

class ProbeServer {
 public:
  // Binds options.ip:options.port and serves. Unavailable, naming options.key, when the port
  // is taken or the address is not this host's; InvalidArgument when ip is not an address.
  static absl::StatusOr<std::unique_ptr<ProbeServer>> Start(ProbeOptions options,
                                                            ProbeSources sources);
  // Stops serving: closes every connection and joins the threads (no source runs after).
  ~ProbeServer();
  ProbeServer(const ProbeServer&) = delete;
  ProbeServer& operator=(const ProbeServer&) = delete;

  // ip:port bound ("[::1]:9100" for IPv6).
  const std::string& address() const { return address_; }

  struct Parts;

 private:
  ProbeServer(std::unique_ptr<Parts> parts, std::string address);

  std::unique_ptr<Parts> parts_;
  std::string address_;
};

}  // namespace asgard::probe
