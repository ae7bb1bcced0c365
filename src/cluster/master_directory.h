// File: master_directory.h
// An agent's view of the cluster's masters (agent.master.cluster: true): the keys under
// /Asgard/<cluster_name>/, read once and then watched, and the master this agent should use,
// chosen by rendezvous hashing of (agent, master id). Every agent ranks the masters on its
// own, so agents spread evenly without talking to each other; when a master goes only its
// agents move, and when it comes back they move back. A master the agent could not reach is
// passed over for a while (its key may outlive it by up to the lease's TTL).
//
//   ASSIGN_OR_RETURN(auto masters, MasterDirectory::Start(etcd, "asgard", "10.0.0.5:27149",
//                                                         [&] { uplink.MastersChanged(); }));
//   if (auto m = masters->Pick()) Dial(m->address);
//
// Thread-safety: all methods may be called from any thread; `on_change` runs on the watch
// thread and must not block.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "cluster/etcd_client.h"

namespace asgard::cluster {

struct MasterEntry {
  std::string id;       // cluster_id, the last part of the key
  std::string address;  // ip:port
  bool operator==(const MasterEntry&) const = default;
};

// The rendezvous score of `master_id` for `agent`: the agent uses the registered master with
// the highest one. Stable across runs and builds (BLAKE2b), so the choice is too.
uint64_t RendezvousScore(const std::string& agent, const std::string& master_id);

// The best of `masters` for `agent`, skipping those in `avoid` unless nothing else is left.
std::optional<MasterEntry> PickMaster(const std::string& agent,
                                      const std::vector<MasterEntry>& masters,
                                      const std::vector<std::string>& avoid);

class MasterDirectory {
 public:
  static constexpr std::chrono::seconds kAvoidFor{10};

  static std::unique_ptr<MasterDirectory> Start(std::shared_ptr<EtcdClient> etcd,
                                                std::string cluster_name, std::string agent,
                                                std::function<void()> on_change);
  ~MasterDirectory();

  // The master to use now; nullopt while none is registered (or etcd was never read).
  std::optional<MasterEntry> Pick() const;
  std::vector<MasterEntry> Masters() const;
  // A call to `id` failed as unreachable: pass it over for kAvoidFor, or until its key is
  // written again (a restarted master registers anew).
  void Unreachable(const std::string& id);
  // Whether the first read of the prefix has happened.
  bool ready() const;

 private:
  using Clock = std::chrono::steady_clock;
  MasterDirectory(std::shared_ptr<EtcdClient> etcd, std::string cluster_name, std::string agent,
                  std::function<void()> on_change);
  void Run();
  void Apply(const std::vector<WatchEvent>& events);
  std::optional<MasterEntry> PickLocked() const;
  void Changed(const std::optional<MasterEntry>& before);

  std::shared_ptr<EtcdClient> etcd_;
  const std::string prefix_;
  const std::string agent_;
  const std::function<void()> on_change_;

  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  bool ready_ = false;
  std::map<std::string, MasterEntry> masters_;  // by id
  std::map<std::string, Clock::time_point> avoid_until_;
  CallCancel cancel_;
  std::thread thread_;
};

}  // namespace asgard::cluster
