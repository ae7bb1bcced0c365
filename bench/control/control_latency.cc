// Control latency of an agent: the time from an Add (or a Start of a paused app) call to the
// app's process running, as the web node will push changes. "Running" = the process exists
// and has exec'd the program (its /proc/PID/exe is the program), checked every 50 us.
//
//   control_latency --target 127.0.0.1:PORT --token T --iterations 200
// Prints one JSON line: {"add": {"p50_ms":..,"p99_ms":..}, "start": {...}}.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "asgard/v1/agent.grpc.pb.h"
#include "grpcpp/create_channel.h"

namespace {

using Clock = std::chrono::steady_clock;

std::string ExeOf(int pid) {
  char buf[4096];
  std::string link = "/proc/" + std::to_string(pid) + "/exe";
  ssize_t n = readlink(link.c_str(), buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, n) : "";
}

bool WaitExec(int pid, const std::string& exe) {
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < deadline) {
    if (ExeOf(pid) == exe) return true;
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  return false;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p / 100.0 * v.size()));
  return v[i];
}

class Client {
 public:
  Client(const std::string& target, std::string token)
      : stub_(asgard::v1::Agent::NewStub(
            grpc::CreateChannel(target, grpc::InsecureChannelCredentials()))),
        token_(std::move(token)) {}

  template <typename Req>
  bool Call(grpc::Status (asgard::v1::Agent::Stub::*method)(grpc::ClientContext*, const Req&,
                                                            asgard::v1::AgentTask*),
            const Req& req, asgard::v1::AgentTask* out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    if (!token_.empty()) ctx.AddMetadata("authorization", "Bearer " + token_);
    grpc::Status s = (stub_.get()->*method)(&ctx, req, out);
    if (!s.ok()) std::cerr << "rpc failed: " << s.error_message() << "\n";
    return s.ok();
  }

 private:
  std::unique_ptr<asgard::v1::Agent::Stub> stub_;
  std::string token_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Agent control latency: Add/Start call to the process running"};
  std::string target, token;
  int iterations = 200;
  std::string program = "/usr/bin/sleep";
  app.add_option("--target", target, "agent host:port")->required();
  app.add_option("--token", token, "rpc.token");
  app.add_option("--iterations", iterations);
  CLI11_PARSE(app, argc, argv);
  Client client(target, token);
  std::vector<double> add_ms, start_ms;
  for (int i = 0; i < iterations; ++i) {
    asgard::v1::TaskDefinition def;
    def.mutable_ref()->set_kind(asgard::v1::TASK_KIND_APP);
    def.mutable_ref()->set_id(1000000 + i);
    def.set_name("bench-" + std::to_string(i));
    def.set_program(program);
    def.set_args("1000");
    def.set_auto_restart(true);
    def.set_desired(asgard::v1::DESIRED_RUN);
    asgard::v1::AgentTask task;
    auto t0 = Clock::now();
    if (!client.Call(&asgard::v1::Agent::Stub::Add, def, &task)) return 1;
    int pid = task.observed().pid();
    if (pid <= 0 || !WaitExec(pid, program)) {
      std::cerr << "app " << i << " did not start (pid " << pid << ")\n";
      return 1;
    }
    add_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    // Pause, then measure Start.
    if (!client.Call(&asgard::v1::Agent::Stub::Stop, def.ref(), &task)) return 1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    t0 = Clock::now();
    if (!client.Call(&asgard::v1::Agent::Stub::Start, def.ref(), &task)) return 1;
    pid = task.observed().pid();
    if (pid <= 0 || !WaitExec(pid, program)) {
      std::cerr << "app " << i << " did not restart\n";
      return 1;
    }
    start_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    client.Call(&asgard::v1::Agent::Stub::Remove, def.ref(), &task);
  }
  std::printf(
      "{\"iterations\": %d, \"add\": {\"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f}, "
      "\"start\": {\"p50_ms\": %.3f, \"p99_ms\": %.3f, \"max_ms\": %.3f}}\n",
      iterations, Percentile(add_ms, 50), Percentile(add_ms, 99), Percentile(add_ms, 100),
      Percentile(start_ms, 50), Percentile(start_ms, 99), Percentile(start_ms, 100));
  return 0;
}
