// File: master_service.h
// The master's gRPC service (asgard.v1.Master): agents register, heartbeat with what they
// observe, pull their assignment and send reports. The master writes observed state and
// reports only; desired state belongs to the web node. Every handler checks the agents' token
// first, and every call for an agent id the key that agent registered with (master.proto), so
// that one agent host can act only for itself. Assignments go out in pages (no message grows
// with the number of tasks).
//
//   MasterService service(*store, {.name = "10.0.0.1:9527", .token = cfg.rpc_token});
//   ASSIGN_OR_RETURN(auto server, rpc::StartServer(where, cfg, {&service}));
//   service.SweepOffline(absl::Now());  // every second, from the role's maintenance thread
//
// Thread-safety: handlers run on gRPC's threads at once; the store serialises its calls.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "asgard/v1/master.grpc.pb.h"
#include "notify/notifier.h"
#include "rpc/auth.h"
#include "store/store.h"

namespace asgard::master {

struct MasterOptions {
  std::string name;                // this master's address, stored as agents.master
  std::string token;               // the agents' token (rpc.token or the generated one)
  int heartbeat_interval_s = 3;    // told to agents at Register
  absl::Duration offline_after = absl::Seconds(7);  // no heartbeat for this long: offline
  std::function<absl::Time()> now = [] { return absl::Now(); };
  notify::Notifier* notifier = nullptr;  // failure alerts; null = none
};

// What the service has done since it started, for /metrics (master_probe.h). Each counter is
// bumped once its call succeeded, except store_errors.
struct MasterCounters {
  std::atomic<int64_t> registrations{0};
  std::atomic<int64_t> heartbeats{0};      // Heartbeat calls (a beat of many tasks: several)
  std::atomic<int64_t> report_batches{0};  // Report calls stored (a re-sent batch counts again)
  std::atomic<int64_t> monitors{0};        // items of those batches, by kind (re-sent: again)
  std::atomic<int64_t> archives{0};
  std::atomic<int64_t> exceptions{0};
  std::atomic<int64_t> records_stored{0};  // records of them new to the store (once each)
  // Store calls that failed for a reason of the store (unreachable, an internal error), not of
  // the caller (not found, refused); the sweep's too.
  std::atomic<int64_t> store_errors{0};
};

class MasterService final : public v1::Master::Service {
 public:
  MasterService(store::Store& store, MasterOptions options);

  grpc::Status Register(grpc::ServerContext* ctx, const v1::RegisterRequest* req,
                        v1::RegisterResponse* resp) override;
  grpc::Status Heartbeat(grpc::ServerContext* ctx, const v1::HeartbeatRequest* req,
                         v1::HeartbeatResponse* resp) override;
  grpc::Status PullAssignment(grpc::ServerContext* ctx, const v1::PullAssignmentRequest* req,
                              v1::Assignment* resp) override;
  grpc::Status Report(grpc::ServerContext* ctx, const v1::ReportBatch* req,
                      v1::ReportAck* resp) override;

  // Agents silent for offline_after go offline and their tasks' observed state "unknown".
  // Not during the first offline_after of this service: after a master restart the agents'
  // last heartbeats in the store are old, and each needs one beat to show it is alive.
  // With a fence (a cluster's leader), refused when a later leader took over.
  void SweepOffline(const store::LeaderFence* fence = nullptr);

  const MasterCounters& counters() const { return counters_; }

 private:
  // Counts `s` in counters_.store_errors when it is the store's fault; returns it.
  const absl::Status& NoteStore(const absl::Status& s);

  // The caller is agent `agent_id`: the id is set and the call carries the key that agent
  // registered with. PERMISSION_DENIED for another agent's id; NOT_FOUND (register again) when
  // the agent has no key on record yet.
  grpc::Status CheckAgent(const grpc::ServerContext& ctx, int64_t agent_id);

  store::Store& store_;
  const MasterOptions options_;
  const rpc::TokenAuth auth_;
  const absl::Time started_;
  MasterCounters counters_;
  absl::Mutex mu_;
  // Agents whose complete observed state arrived since they were last (re)registered or
  // marked offline; the others are asked for it.
  std::set<int64_t> full_state_ ABSL_GUARDED_BY(mu_);
  // Key hashes of the agents, as registered (filled from the store on a miss).
  std::map<int64_t, std::string> key_hashes_ ABSL_GUARDED_BY(mu_);
};

// Most tasks, and bytes of definitions, in one page of an assignment.
inline constexpr int kAssignmentPageTasks = 1000;
inline constexpr size_t kAssignmentPageBytes = 4 << 20;

}  // namespace asgard::master
