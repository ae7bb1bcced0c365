// File: uplink.h
// The agent's side of the master connection, on its own thread: register (again after a
// master restart or a NOT_FOUND), heartbeat every few seconds with the observed state of its
// tasks (all of them when the master asks, else what changed), pull the assignment when the
// master's version differs from the one running (a page at a time), and move report items from
// the task host
// into the spool every second and from the spool to the master, oldest first. If the first
// registration fails, the cached assignment runs until the master answers.
//
//   Uplink uplink(loop, host, spool, channel, options);
//   uplink.Start();
//   ...
//   uplink.Stop();          // before the loop stops: the thread posts to it
//   uplink.FlushOnce(...);  // last reports, best effort, after the tasks stopped
//
// Thread-safety: Start/Stop/FlushOnce from the owner; SyncNow from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "agent/master_source.h"
#include "agent/report_spool.h"
#include "agent/task_host.h"
#include "asgard/v1/master.grpc.pb.h"
#include "common/event_loop.h"

namespace asgard::agent {

struct UplinkOptions {
  std::string token;  // the agents' token (rpc.token or the generated one)
  std::string key;    // this agent's own key (runtime/agent.key)
  std::string ip;  // announced to the master
  int port = 0;
  std::string uuid;  // of this agent process
  std::string version;
  std::optional<v1::Assignment> cached;  // run when the master cannot be reached at start
  std::chrono::milliseconds register_timeout{3000};
  std::chrono::milliseconds call_timeout{10000};
  // Most samples, archives or exceptions in one report.
  int max_batch_items = 5000;
  // Most observed states in one Heartbeat call (a beat sends more in further calls).
  int max_observed_per_call = 1000;
};

// What the uplink knows of its master, for the agent's /health and /metrics (agent_probe.h).
struct UplinkStatus {
  bool registered = false;  // the master gave this agent an id (and has not taken it back)
  std::string master;       // the master in use: its address, or its cluster_id in a cluster
  // The last call the master answered; before any, when the uplink was made.
  std::chrono::steady_clock::time_point last_contact;
  std::chrono::seconds heartbeat_interval{3};  // as the master said at registration
  int64_t agent_id = 0;
  int64_t heartbeats = 0;          // heartbeat calls the master accepted
  int64_t heartbeat_failures = 0;  // heartbeat calls that failed
  int64_t register_failures = 0;   // since the uplink was made
  int64_t reports_sent = 0;        // report batches the master acknowledged
};

class Uplink {
 public:
  Uplink(EventLoop& loop, TaskHost& host, ReportSpool& spool,
         std::shared_ptr<grpc::ChannelInterface> channel, UplinkOptions options);
  Uplink(EventLoop& loop, TaskHost& host, ReportSpool& spool,
         std::shared_ptr<MasterSource> masters, UplinkOptions options);
  ~Uplink();

  void Start();
  void Stop();
  // Heartbeat (and pull if needed) now rather than at the next interval.
  void SyncNow();
  // The master source's choice changed: the call in progress (to a master that may be hung)
  // is cancelled and the uplink moves at once.
  void MastersChanged();
  // Appends `batch` (if not empty) to the spool and tries once to send what is pending.
  void FlushOnce(v1::ReportBatch batch, std::chrono::milliseconds timeout);
  // A copy, from any thread.
  UplinkStatus status() const;

 private:
  void Run();
  bool Register();
  bool Heartbeat();
  bool Pull();
  // Every page of the assignment, at one version; nullopt (logged) when it cannot be had.
  std::optional<v1::Assignment> PullPages();
  // One Heartbeat call; false (logged, session dropped when lost) on failure.
  bool BeatOnce(v1::HeartbeatRequest& req, v1::HeartbeatResponse* resp);
  void RunCachedOnce();
  void CollectReports();
  void AppendToSpool(v1::ReportBatch batch);
  bool SendReports(std::chrono::milliseconds timeout);
  // A call's context, cancelled by MastersChanged() while it is in progress.
  class TrackedContext {
   public:
    TrackedContext(Uplink& owner, std::chrono::milliseconds timeout);
    ~TrackedContext();
    grpc::ClientContext* get() { return &ctx_; }

   private:
    Uplink& owner_;
    grpc::ClientContext ctx_;
  };
  std::unique_ptr<TrackedContext> Context(std::chrono::milliseconds timeout);
  // Picks up the master source's current choice; false when there is none.
  bool FollowMaster();
  // A failed call: unreachable masters are reported to the source.
  void NoteFailure(const grpc::Status& s);
  bool Sleep(std::chrono::steady_clock::duration d);  // false when stopping
  // Records a call to the master in status_: `counter` (may be null) counts it, and when `ok`
  // it is the latest contact.
  void NoteCall(bool ok, int64_t UplinkStatus::*counter);

  EventLoop& loop_;
  TaskHost& host_;
  ReportSpool& spool_;
  std::shared_ptr<MasterSource> masters_;
  std::unique_ptr<v1::Master::Stub> stub_;  // to master_name_; null while none is known
  std::shared_ptr<grpc::ChannelInterface> channel_;  // stub_'s
  std::string master_name_;
  UplinkOptions options_;

  // Uplink thread only.
  int64_t agent_id_ = 0;
  std::chrono::seconds interval_{3};
  bool send_full_ = true;
  bool cached_applied_ = false;
  bool forbidden_ = false;
  bool beat_soon_ = false;    // an assignment was just applied: report its state quickly
  int register_failures_ = 0;
  std::map<RefKey, std::string> last_sent_;  // serialized TaskObserved the master has

  mutable std::mutex mu_;
  std::condition_variable wake_;
  UplinkStatus status_;     // guarded by mu_
  bool stop_ = false;       // guarded by mu_
  bool sync_now_ = false;   // guarded by mu_
  grpc::ClientContext* in_flight_ = nullptr;  // guarded by mu_
  std::thread thread_;
};

}  // namespace asgard::agent
