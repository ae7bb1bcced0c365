#include "cluster/master_directory.h"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "common/absl_fmt.h"
#include "spdlog/spdlog.h"

namespace asgard::cluster {

uint64_t RendezvousScore(const std::string& agent, const std::string& master_id) {
  std::string input = agent;
  input.push_back('\0');  // "a"+"bc" and "ab"+"c" must differ
  input += master_id;
  unsigned char digest[crypto_generichash_BYTES_MIN];
  crypto_generichash(digest, sizeof(digest), reinterpret_cast<const unsigned char*>(input.data()),
                     input.size(), nullptr, 0);
  uint64_t score;
  std::memcpy(&score, digest, sizeof(score));
  return score;
}

std::optional<MasterEntry> PickMaster(const std::string& agent,
                                      const std::vector<MasterEntry>& masters,
                                      const std::vector<std::string>& avoid) {
  const MasterEntry* best = nullptr;
  const MasterEntry* best_avoided = nullptr;
  uint64_t best_score = 0, best_avoided_score = 0;
  for (const MasterEntry& m : masters) {
    uint64_t score = RendezvousScore(agent, m.id);
    bool avoided = std::find(avoid.begin(), avoid.end(), m.id) != avoid.end();
    const MasterEntry*& slot = avoided ? best_avoided : best;
    uint64_t& slot_score = avoided ? best_avoided_score : best_score;
    if (slot == nullptr || score > slot_score || (score == slot_score && m.id < slot->id)) {
      slot = &m;
      slot_score = score;
    }
  }
  if (best != nullptr) return *best;
  if (best_avoided != nullptr) return *best_avoided;
  return std::nullopt;
}

MasterDirectory::MasterDirectory(std::shared_ptr<EtcdClient> etcd, std::string cluster_name,
                                 std::string agent, std::function<void()> on_change)
    : etcd_(std::move(etcd)),
      prefix_(MembersPrefix(cluster_name)),
      agent_(std::move(agent)),
      on_change_(std::move(on_change)) {}

std::unique_ptr<MasterDirectory> MasterDirectory::Start(std::shared_ptr<EtcdClient> etcd,
                                                        std::string cluster_name,
                                                        std::string agent,
                                                        std::function<void()> on_change) {
  std::unique_ptr<MasterDirectory> d(new MasterDirectory(
      std::move(etcd), std::move(cluster_name), std::move(agent), std::move(on_change)));
  d->thread_ = std::thread([raw = d.get()] { raw->Run(); });
  return d;
}

MasterDirectory::~MasterDirectory() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cancel_.Cancel();
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::optional<MasterEntry> MasterDirectory::PickLocked() const {
  std::vector<MasterEntry> all;
  for (const auto& [id, m] : masters_) all.push_back(m);
  std::vector<std::string> avoid;
  auto now = Clock::now();
  for (const auto& [id, until] : avoid_until_) {
    if (until > now) avoid.push_back(id);
  }
  return PickMaster(agent_, all, avoid);
}

std::optional<MasterEntry> MasterDirectory::Pick() const {
  std::lock_guard<std::mutex> lock(mu_);
  return PickLocked();
}

std::vector<MasterEntry> MasterDirectory::Masters() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<MasterEntry> out;
  for (const auto& [id, m] : masters_) out.push_back(m);
  return out;
}

bool MasterDirectory::ready() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ready_;
}

void MasterDirectory::Unreachable(const std::string& id) {
  std::optional<MasterEntry> before;
  {
    std::lock_guard<std::mutex> lock(mu_);
    before = PickLocked();
    avoid_until_[id] = Clock::now() + kAvoidFor;
  }
  Changed(before);
}

void MasterDirectory::Changed(const std::optional<MasterEntry>& before) {
  std::optional<MasterEntry> after = Pick();
  if (after == before) return;
  if (after) {
    spdlog::info("cluster: master {} ({}) is this agent's master now", after->id, after->address);
  } else {
    spdlog::warn("cluster: no master registered under {}; waiting", prefix_);
  }
  if (on_change_) on_change_();
}

void MasterDirectory::Apply(const std::vector<WatchEvent>& events) {
  std::optional<MasterEntry> before;
  {
    std::lock_guard<std::mutex> lock(mu_);
    before = PickLocked();
    for (const WatchEvent& e : events) {
      std::string id = e.kv.key.substr(prefix_.size());
      if (id.empty() || id.find('/') != std::string::npos) continue;  // not a member key
      if (e.deleted) {
        masters_.erase(id);
      } else {
        masters_[id] = {id, e.kv.value};
      }
      avoid_until_.erase(id);  // gone, or registered anew: what we knew of it is stale
    }
  }
  Changed(before);
}

void MasterDirectory::Run() {
  bool said_error = false;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
    }
    int64_t revision = 0;
    auto listed = etcd_->GetPrefix(prefix_, &revision);
    if (listed.ok()) {
      std::optional<MasterEntry> before;
      {
        std::lock_guard<std::mutex> lock(mu_);
        before = ready_ ? PickLocked() : std::nullopt;
        masters_.clear();
        for (const KeyValue& kv : *listed) {
          std::string id = kv.key.substr(prefix_.size());
          if (!id.empty() && id.find('/') == std::string::npos) masters_[id] = {id, kv.value};
        }
        ready_ = true;
      }
      if (said_error) spdlog::info("cluster: etcd answers again");
      said_error = false;
      Changed(before);
      absl::Status watched = etcd_->WatchPrefix(
          prefix_, revision + 1, [this](const std::vector<WatchEvent>& e) { Apply(e); }, cancel_);
      if (watched.ok()) return;  // cancelled: stopping
      if (!said_error) spdlog::warn("cluster: watching {}: {}", prefix_, watched.message());
    } else if (!said_error) {
      // The masters known so far stay in use: an etcd outage moves no agent.
      spdlog::error("cluster: cannot read {} from etcd: {}", prefix_, listed.status().message());
    }
    said_error = true;
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; });
  }
}

}  // namespace asgard::cluster
