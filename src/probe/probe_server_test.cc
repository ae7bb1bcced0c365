// File: probe_server_test.cc
// /health and /metrics of a probe over real loopback sockets: the sources' facts and families,
// 503 once a source degrades the role, only those two paths, and a clear error naming the
// config key when the port is taken.
#include "probe/probe_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace asgard::probe {
namespace {

int PortOf(const std::string& address) { return std::stoi(address.substr(address.rfind(':') + 1)); }

// One request on a fresh connection (Connection: close): the whole answer as text.
std::string Fetch(int port, const std::string& method, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
    if (write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      ssize_t n;
      while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    }
  }
  close(fd);
  return out;
}

int StatusOf(const std::string& answer) {
  return answer.size() > 12 ? std::stoi(answer.substr(9, 3)) : 0;
}

std::string BodyOf(const std::string& answer) {
  size_t at = answer.find("\r\n\r\n");
  return at == std::string::npos ? "" : answer.substr(at + 4);
}

struct FakeRole {
  std::atomic<bool> store_ok{true};
  std::atomic<int> beats{0};

  ProbeSources Sources() {
    ProbeSources s;
    s.health.push_back([this](HealthReport& h) {
      h.Set("store_reachable", store_ok.load());
      if (!store_ok) h.Degrade("the store does not answer");
    });
    s.health.push_back([](HealthReport& h) { h.Set("agents_online", 2); });
    s.metrics.push_back([this](PrometheusText& out) {
      out.Single("asgard_master_heartbeats_total", "Heartbeats.", MetricType::kCounter,
                 beats.load());
    });
    return s;
  }
};

ProbeOptions Loopback() {
  return {.role = "master", .key = "master.metrics_port", .ip = "127.0.0.1", .port = 0};
}

TEST(ProbeServer, HealthIsOkWithTheSourcesFacts) {
  FakeRole role;
  auto probe = ProbeServer::Start(Loopback(), role.Sources());
  ASSERT_TRUE(probe.ok()) << probe.status();
  ASSERT_EQ((*probe)->address().rfind("127.0.0.1:", 0), 0u);
  std::string answer = Fetch(PortOf((*probe)->address()), "GET", "/health");
  EXPECT_EQ(StatusOf(answer), 200) << answer;
  EXPECT_NE(answer.find("application/json"), std::string::npos);
  auto json = nlohmann::json::parse(BodyOf(answer));
  EXPECT_EQ(json["status"], "ok");
  EXPECT_EQ(json["role"], "master");
  EXPECT_EQ(json["store_reachable"], true);
  EXPECT_EQ(json["agents_online"], 2);
  EXPECT_FALSE(json.contains("problems"));
}

TEST(ProbeServer, HealthIs503DegradedWhenASourceSaysSo) {
  FakeRole role;
  auto probe = ProbeServer::Start(Loopback(), role.Sources());
  ASSERT_TRUE(probe.ok()) << probe.status();
  role.store_ok = false;
  std::string answer = Fetch(PortOf((*probe)->address()), "GET", "/health");
  EXPECT_EQ(StatusOf(answer), 503) << answer;
  auto json = nlohmann::json::parse(BodyOf(answer));
  EXPECT_EQ(json["status"], "degraded");
  EXPECT_EQ(json["store_reachable"], false);
  EXPECT_EQ(json["problems"], nlohmann::json::array({"the store does not answer"}));
  role.store_ok = true;
  EXPECT_EQ(StatusOf(Fetch(PortOf((*probe)->address()), "GET", "/health")), 200);
}

TEST(ProbeServer, MetricsHaveTheSourcesFamiliesAndTheProcesss) {
  FakeRole role;
  role.beats = 7;
  auto probe = ProbeServer::Start(Loopback(), role.Sources());
  ASSERT_TRUE(probe.ok()) << probe.status();
  std::string answer = Fetch(PortOf((*probe)->address()), "GET", "/metrics");
  EXPECT_EQ(StatusOf(answer), 200) << answer;
  EXPECT_NE(answer.find("text/plain; version=0.0.4"), std::string::npos);
  std::string body = BodyOf(answer);
  EXPECT_NE(body.find("# TYPE asgard_master_heartbeats_total counter\n"
                      "asgard_master_heartbeats_total 7\n"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("\nprocess_resident_memory_bytes "), std::string::npos) << body;
  EXPECT_NE(body.find("\nprocess_threads "), std::string::npos) << body;
}

TEST(ProbeServer, AnswersNothingElse) {
  FakeRole role;
  auto probe = ProbeServer::Start(Loopback(), role.Sources());
  ASSERT_TRUE(probe.ok()) << probe.status();
  int port = PortOf((*probe)->address());
  EXPECT_EQ(StatusOf(Fetch(port, "GET", "/api/v1/tasks")), 404);
  EXPECT_EQ(StatusOf(Fetch(port, "POST", "/health")), 404);
  EXPECT_EQ(StatusOf(Fetch(port, "HEAD", "/health")), 200);
}

TEST(ProbeServer, APortInUseNamesTheKey) {
  FakeRole role;
  auto first = ProbeServer::Start(Loopback(), role.Sources());
  ASSERT_TRUE(first.ok()) << first.status();
  ProbeOptions same = Loopback();
  same.port = PortOf((*first)->address());
  auto second = ProbeServer::Start(same, role.Sources());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(second.status().message().rfind("master.metrics_port: cannot listen on", 0), 0u)
      << second.status();
}

TEST(ProbeServer, NotAnAddressIsInvalid) {
  FakeRole role;
  ProbeOptions bad = Loopback();
  bad.ip = "not-an-ip";
  auto probe = ProbeServer::Start(bad, role.Sources());
  ASSERT_FALSE(probe.ok());
  EXPECT_EQ(probe.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(probe.status().message().find("master.metrics_port"), std::string::npos);
}

TEST(HealthReport, StatusAndRoleComeFirst) {
  HealthReport report;
  report.Set("a", 1);
  EXPECT_EQ(report.ToJson("agent"), R"({"status":"ok","role":"agent","a":1})");
}

}  // namespace
}  // namespace asgard::probe
