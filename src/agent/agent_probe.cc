#include "agent/agent_probe.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agent/on_loop.h"
#include "rpc/task_enums.h"

namespace asgard::agent {
namespace {

using probe::MetricType;

// The tasks as the probe shows them, counted on the loop.
struct TaskCounts {
  std::map<std::pair<std::string, std::string>, int64_t> by_kind_state;
  int64_t total = 0;
  int64_t running = 0;
  int64_t restarts = 0;  // summed over the tasks assigned now
};

absl::StatusOr<TaskCounts> CountTasks(EventLoop& loop, TaskHost& host) {
  return OnLoop<TaskCounts>(
      loop,
      [&host] {
        TaskCounts counts;
        for (const v1::TaskObserved& o : host.Observed()) {
          std::string state = rpc::StateOf(o);
          ++counts.by_kind_state[{rpc::KindWord(o.ref().kind(), "other"), state}];
          ++counts.total;
          if (state == "running") ++counts.running;
          counts.restarts += o.restarts();
        }
        return counts;
      },
      std::chrono::duration_cast<std::chrono::milliseconds>(kProbeLoopWait));
}

int64_t SecondsSince(std::chrono::steady_clock::time_point then) {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - then)
      .count();
}

void HealthOf(const AgentProbeParts& p, probe::HealthReport& h) {
  UplinkStatus up = p.uplink.status();
  const bool overdue = MasterOverdue(up, std::chrono::steady_clock::now());
  h.Set("master", p.master);
  if (!up.master.empty() && up.master != p.master) h.Set("master_in_use", up.master);
  h.Set("master_connected", up.registered && !overdue);
  h.Set("agent_id", up.agent_id);
  h.Set("last_master_contact_seconds_ago", SecondsSince(up.last_contact));
  if (overdue) {
    h.Degrade(absl::StrCat("the master ", p.master, " has not answered for ",
                           SecondsSince(up.last_contact), " s (more than ", kMissedBeats,
                           " heartbeats); tasks keep running, reports wait in the spool"));
  }
  h.Set("spool_pending_batches", static_cast<int64_t>(p.spool.size()));
  h.Set("spool_pending_bytes", static_cast<int64_t>(p.spool.bytes()));
  auto tasks = CountTasks(p.loop, p.host);
  if (!tasks.ok()) {
    h.Set("tasks", nullptr);
    h.Degrade("the agent's event loop did not answer within 2 s");
    return;
  }
  h.Set("tasks", tasks->total);
  h.Set("tasks_running", tasks->running);
}

void MetricsOf(const AgentProbeParts& p, probe::PrometheusText& out) {
  UplinkStatus up = p.uplink.status();
  out.Family("asgard_agent_master_connected",
             "1 while the master answers (registered, heard within a few heartbeats), else 0.",
             MetricType::kGauge);
  out.Sample("asgard_agent_master_connected",
             up.registered && !MasterOverdue(up, std::chrono::steady_clock::now()) ? int64_t{1}
                                                                                   : int64_t{0},
             {{"master", up.master.empty() ? p.master : up.master}});
  out.Single("asgard_agent_master_last_contact_seconds",
             "Seconds since the master last answered a call.", MetricType::kGauge,
             SecondsSince(up.last_contact));
  out.Single("asgard_agent_heartbeats_total", "Heartbeat calls the master accepted.",
             MetricType::kCounter, up.heartbeats);
  out.Single("asgard_agent_heartbeat_failures_total", "Heartbeat calls that failed.",
             MetricType::kCounter, up.heartbeat_failures);
  out.Single("asgard_agent_register_failures_total", "Registrations that failed.",
             MetricType::kCounter, up.register_failures);
  out.Single("asgard_agent_reports_sent_total", "Report batches the master acknowledged.",
             MetricType::kCounter, up.reports_sent);
  out.Single("asgard_agent_spool_pending_batches", "Report batches waiting for the master.",
             MetricType::kGauge, static_cast<int64_t>(p.spool.size()));
  out.Single("asgard_agent_spool_pending_bytes", "Bytes of the report batches waiting.",
             MetricType::kGauge, static_cast<int64_t>(p.spool.bytes()));
  out.Single("asgard_agent_spool_dropped_monitors_total",
             "Monitor samples dropped to keep the spool within its bound.", MetricType::kCounter,
             p.spool.dropped_monitors());
  auto tasks = CountTasks(p.loop, p.host);
  if (!tasks.ok()) return;  // a stuck loop: /health says so; no made-up numbers here
  out.Family("asgard_agent_tasks", "Tasks assigned to this agent, by kind and state.",
             MetricType::kGauge);
  for (const auto& [key, n] : tasks->by_kind_state) {
    out.Sample("asgard_agent_tasks", n, {{"kind", key.first}, {"state", key.second}});
  }
  out.Single("asgard_agent_task_restarts",
             "Restarts since the agent started, summed over the tasks assigned now.",
             MetricType::kGauge, tasks->restarts);
}

}  // namespace

bool MasterOverdue(const UplinkStatus& status, std::chrono::steady_clock::time_point now) {
  return now - status.last_contact > kMissedBeats * status.heartbeat_interval;
}

probe::ProbeSources AgentProbeSources(AgentProbeParts parts) {
  probe::ProbeSources sources;
  sources.health.push_back([parts](probe::HealthReport& h) { HealthOf(parts, h); });
  sources.metrics.push_back([parts](probe::PrometheusText& out) { MetricsOf(parts, out); });
  return sources;
}

}  // namespace asgard::agent
