// File: master_membership.h
// A master's place in the cluster (master.cluster: true): its key
// /Asgard/<cluster_name>/<cluster_id> = "<ip>:<port>" under a lease, which agents watch to find
// masters, and its campaign under /Asgard-leader/<cluster_name> for the singleton duties.
//
// The key is created at once in a transaction that fails when it exists, so a second master
// with the same cluster_id is refused at start (Join returns AlreadyExists naming the holder).
// A keeper thread renews the lease every third of its TTL; a campaign thread waits for the
// leadership. The leader acts only while its lease is certainly alive: LeaderEpoch() answers
// until (last keep-alive sent + TTL - margin), a local deadline that passes before etcd can
// expire the lease and elect another. When the lease is lost (etcd unreachable for longer than
// the TTL), the master keeps serving its agents, registers again and campaigns again once etcd
// answers. Leave() (and the destructor) resigns and revokes the lease: the key goes at once.
//
//   ASSIGN_OR_RETURN(auto membership, MasterMembership::Join(etcd, {...}));
//   if (auto epoch = membership->LeaderEpoch()) SweepOffline(*epoch);
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "cluster/etcd_client.h"

namespace asgard::cluster {

struct MembershipOptions {
  std::string cluster_name;
  std::string cluster_id;
  std::string advertise;  // ip:port agents dial
  int ttl_seconds = 5;
};

struct MembershipState {
  bool etcd_reachable = false;
  bool registered = false;
  std::optional<int64_t> leader_epoch;  // set while this master leads
  std::string last_error;               // the last failure talking to etcd ("" = none)
};

class MasterMembership {
 public:
  static absl::StatusOr<std::unique_ptr<MasterMembership>> Join(std::shared_ptr<EtcdClient> etcd,
                                                                MembershipOptions options);
  ~MasterMembership();
  MasterMembership(const MasterMembership&) = delete;
  MasterMembership& operator=(const MasterMembership&) = delete;

  // The election revision while this master may act as leader; nullopt otherwise. Leader-only
  // writes carry it so that the store refuses a stale leader's (a later leader's is larger).
  std::optional<int64_t> LeaderEpoch() const;
  MembershipState State() const;
  const MembershipOptions& options() const { return options_; }
  // Resigns, revokes the lease (the key goes with it) and stops the threads. Idempotent.
  void Leave();

 private:
  using Clock = std::chrono::steady_clock;
  MasterMembership(std::shared_ptr<EtcdClient> etcd, MembershipOptions options);
  std::string Key() const;
  // Grants a lease and creates the key under it; AlreadyExists when another holds the key.
  absl::Status Register();
  void KeepLoop();
  void CampaignLoop();
  void LoseLease(const std::string& why);
  // Waits up to `d`; false when stopping.
  bool Wait(std::unique_lock<std::mutex>& lock, Clock::duration d);

  std::shared_ptr<EtcdClient> etcd_;
  const MembershipOptions options_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  int64_t lease_ = 0;                  // 0 = none (lost, not yet granted again)
  int64_t granted_ttl_ = 0;            // seconds
  Clock::time_point alive_since_{};    // when the last successful keep-alive was sent
  std::optional<LeaderKey> leader_;    // held while leading
  bool reachable_ = false;
  std::string last_error_;
  CallCancel* campaign_cancel_ = nullptr;  // the campaign in progress, if any

  std::thread keeper_;
  std::thread campaigner_;
};

}  // namespace asgard::cluster
