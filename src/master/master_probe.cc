#include "master/master_probe.h"

#include <chrono>

namespace asgard::master {
namespace {

using probe::MetricType;

const char* AgentStatusName(int status) {
  return status == 1 ? "online" : status == 0 ? "offline" : "forbidden";
}

void WriteCounters(const MasterCounters& c, probe::PrometheusText& out) {
  auto get = [](const std::atomic<int64_t>& n) { return n.load(std::memory_order_relaxed); };
  out.Single("asgard_master_registrations_total", "Agent registrations accepted.",
             MetricType::kCounter, get(c.registrations));
  out.Single("asgard_master_heartbeats_total", "Agent heartbeat calls accepted.",
             MetricType::kCounter, get(c.heartbeats));
  out.Single("asgard_master_reports_total", "Report batches stored (a re-sent one again).",
             MetricType::kCounter, get(c.report_batches));
  out.Family("asgard_master_report_items_total", "Items of the report batches stored, by kind.",
             MetricType::kCounter);
  out.Sample("asgard_master_report_items_total", get(c.monitors), {{"kind", "monitor"}});
  out.Sample("asgard_master_report_items_total", get(c.archives), {{"kind", "archive"}});
  out.Sample("asgard_master_report_items_total", get(c.exceptions), {{"kind", "exception"}});
  out.Single("asgard_master_records_stored_total",
             "Report records new to the store (samples, archives, exceptions).",
             MetricType::kCounter, get(c.records_stored));
  out.Single("asgard_master_store_errors_total",
             "Store calls that failed for a reason of the store (unreachable, internal).",
             MetricType::kCounter, get(c.store_errors));
}

}  // namespace

probe::ProbeSources MasterProbeSources(store::Store& store, const MasterCounters& counters,
                                       std::string address) {
  const auto started = std::chrono::steady_clock::now();
  probe::ProbeSources sources;
  sources.health.push_back([&store, address, started](probe::HealthReport& h) {
    h.Set("address", address);
    h.Set("uptime_seconds", std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::steady_clock::now() - started)
                                .count());
    // One cheap query both proves the store answers and gives the agents' counts.
    auto agents = store.CountAgentsByStatus();
    h.Set("store_reachable", agents.ok());
    if (!agents.ok()) {
      h.Degrade("the store does not answer: " + std::string(agents.status().message()));
      return;
    }
    h.Set("agents_online", agents->count(1) ? agents->at(1) : 0);
    h.Set("agents_offline", agents->count(0) ? agents->at(0) : 0);
  });
  sources.metrics.push_back([&store, &counters](probe::PrometheusText& out) {
    auto agents = store.CountAgentsByStatus();
    out.Single("asgard_master_store_up", "1 when the store answered this scrape, else 0.",
               MetricType::kGauge, agents.ok() ? 1 : 0);
    if (agents.ok()) {
      out.Family("asgard_master_agents", "Agents by status, as the store has them.",
                 MetricType::kGauge);
      for (int status : {1, 0, -1}) {
        auto it = agents->find(status);
        out.Sample("asgard_master_agents", it == agents->end() ? int64_t{0} : it->second,
                   {{"status", AgentStatusName(status)}});
      }
    }
    WriteCounters(counters, out);
  });
  return sources;
}

}  // namespace asgard::master
