#include "probe/probe_server.h"

#include <dirent.h>

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "http/router.h"
#include "http/server.h"

namespace asgard::probe {
namespace {

// A probe is asked by a scraper and an orchestrator or two: a handful of connections, one I/O
// thread, and two workers so that one slow source (a store that hangs) leaves /metrics or a
// second probe an answer.
http::Limits ProbeLimits() {
  http::Limits limits;
  limits.max_connections = 32;
  limits.max_connections_per_client = 8;
  limits.header_timeout = std::chrono::seconds(5);
  limits.body_timeout = std::chrono::seconds(5);
  limits.idle_timeout = std::chrono::seconds(30);
  limits.write_timeout = std::chrono::seconds(10);
  limits.max_header_bytes = 8 * 1024;
  limits.max_body_bytes = 4 * 1024;  // GET only
  limits.workers = 2;
  limits.max_queued_requests = 16;
  limits.io_threads = 1;
  return limits;
}

// "VmRSS:     1234 kB" and the like from /proc/self/status: the number, or -1.
int64_t StatusField(const std::string& status, const std::string& field) {
  size_t at = status.find("\n" + field + ":");
  if (at == std::string::npos) return -1;
  std::istringstream in(status.substr(at + field.size() + 2));
  int64_t value = -1;
  in >> value;
  return in ? value : -1;
}

int64_t OpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int64_t n = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the directory stream's own descriptor
}

}  // namespace

std::string HealthReport::ToJson(const std::string& role) const {
  // ordered_json keeps status and role first, where a person reading the answer looks.
  nlohmann::ordered_json out;
  out["status"] = healthy() ? "ok" : "degraded";
  out["role"] = role;
  for (const auto& [key, value] : facts_.items()) out[key] = value;
  if (!healthy()) out["problems"] = problems_;
  return out.dump();
}

ProbeAnswer AnswerHealth(const std::string& role, const ProbeSources& sources) {
  HealthReport report;
  for (const HealthSource& source : sources.health) source(report);
  return {report.healthy() ? 200 : 503, report.ToJson(role)};
}

ProbeAnswer AnswerMetrics(const ProbeSources& sources) {
  PrometheusText out;
  for (const MetricsSource& source : sources.metrics) source(out);
  WriteProcessMetrics(out);
  return {200, out.Take()};
}

void WriteProcessMetrics(PrometheusText& out) {
  std::ifstream file("/proc/self/status");
  std::string status = "\n" + std::string(std::istreambuf_iterator<char>(file), {});
  if (int64_t rss_kb = StatusField(status, "VmRSS"); rss_kb >= 0) {
    out.Single("process_resident_memory_bytes", "Resident memory size in bytes.",
               MetricType::kGauge, rss_kb * 1024);
  }
  if (int64_t threads = StatusField(status, "Threads"); threads >= 0) {
    out.Single("process_threads", "Threads of the process.", MetricType::kGauge, threads);
  }
  if (int64_t fds = OpenFds(); fds >= 0) {
    out.Single("process_open_fds", "Open file descriptors.", MetricType::kGauge, fds);
  }
}

struct ProbeServer::Parts {
  Parts(ProbeOptions o, ProbeSources s)
      : options(std::move(o)), sources(std::move(s)), server(router, ProbeLimits()) {}

  const ProbeOptions options;
  const ProbeSources sources;
  http::Router router;  // before server, which keeps a reference to it
  http::Server server;
};

absl::StatusOr<std::unique_ptr<ProbeServer>> ProbeServer::Start(ProbeOptions options,
                                                                ProbeSources sources) {
  auto parts = std::make_unique<Parts>(std::move(options), std::move(sources));
  Parts* p = parts.get();
  p->router.Add("GET", "/health", [p](const http::Request&, http::Response& res) {
    ProbeAnswer answer = AnswerHealth(p->options.role, p->sources);
    res.status = answer.status;
    res.SetHeader("Cache-Control", "no-store");
    res.SetContent(std::move(answer.body), "application/json");
  });
  p->router.Add("GET", "/metrics", [p](const http::Request&, http::Response& res) {
    ProbeAnswer answer = AnswerMetrics(p->sources);
    res.status = answer.status;
    res.SetContent(std::move(answer.body), kPrometheusContentType);
  });
  const std::string& ip = p->options.ip;
  auto port = p->server.Listen(ip, p->options.port);
  if (!port.ok()) {
    return absl::Status(port.status().code(),
                        absl::StrCat(p->options.key, ": ", port.status().message(),
                                     port.status().code() == absl::StatusCode::kUnavailable
                                         ? " (address in use, or not an address of this host)"
                                         : ""));
  }
  std::string host = ip.find(':') != std::string::npos ? absl::StrCat("[", ip, "]") : ip;
  p->server.Start();
  return std::unique_ptr<ProbeServer>(
      new ProbeServer(std::move(parts), absl::StrCat(host, ":", *port)));
}

ProbeServer::ProbeServer(std::unique_ptr<Parts> parts, std::string address)
    : parts_(std::move(parts)), address_(std::move(address)) {}

ProbeServer::~ProbeServer() {
  if (parts_) parts_->server.Stop();
}

}  // namespace asgard::probe
