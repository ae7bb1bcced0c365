#include "cluster/master_membership.h"

#include "absl/strings/str_cat.h"
#include "common/absl_fmt.h"
#include "spdlog/spdlog.h"

namespace asgard::cluster {
namespace {

// How long before the lease could expire the leader stops acting: the keep-alive's answer and
// etcd's own clock may each be a little off.
std::chrono::milliseconds LeaderMargin(int64_t ttl_seconds) {
  return std::max(std::chrono::milliseconds(500), std::chrono::milliseconds(ttl_seconds * 200));
}

}  // namespace

MasterMembership::MasterMembership(std::shared_ptr<EtcdClient> etcd, MembershipOptions options)
    : etcd_(std::move(etcd)), options_(std::move(options)) {}

absl::StatusOr<std::unique_ptr<MasterMembership>> MasterMembership::Join(
    std::shared_ptr<EtcdClient> etcd, MembershipOptions options) {
  std::unique_ptr<MasterMembership> m(new MasterMembership(std::move(etcd), std::move(options)));
  absl::Status registered = m->Register();
  if (absl::IsAlreadyExists(registered)) return registered;
  if (!registered.ok()) {
    // etcd down at start: serve anyway (agents with a cached master keep working) and
    // register as soon as it answers.
    spdlog::error("cluster: {}; registering as soon as etcd answers", registered.message());
  }
  m->keeper_ = std::thread([raw = m.get()] { raw->KeepLoop(); });
  m->campaigner_ = std::thread([raw = m.get()] { raw->CampaignLoop(); });
  return m;
}

MasterMembership::~MasterMembership() { Leave(); }

std::string MasterMembership::Key() const {
  return MembersPrefix(options_.cluster_name) + options_.cluster_id;
}

absl::Status MasterMembership::Register() {
  auto sent = Clock::now();
  auto lease = etcd_->GrantLease(options_.ttl_seconds);
  if (!lease.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    reachable_ = false;
    last_error_ = std::string(lease.status().message());
    return lease.status();
  }
  KeyValue holder;
  auto created = etcd_->CreateKey(Key(), options_.advertise, lease->id, &holder);
  if (created.ok() && !*created && holder.value == options_.advertise) {
    // Our own key from before a crash or kill: the same address cannot be held by another
    // master (the port is ours). Revoke the old lease instead of waiting for it to run out.
    spdlog::info("cluster: {} is left from this master's previous run; taking it over", Key());
    if (holder.lease != 0) etcd_->RevokeLease(holder.lease).IgnoreError();
    etcd_->Delete(Key()).IgnoreError();
    created = etcd_->CreateKey(Key(), options_.advertise, lease->id, &holder);
  }
  absl::Status result;
  if (!created.ok()) {
    result = created.status();
  } else if (!*created) {
    result = absl::AlreadyExistsError(absl::StrCat(
        "master.cluster_id '", options_.cluster_id, "' is already registered in etcd by ",
        holder.value, " (", Key(), "): give each master its own cluster_id"));
  }
  if (!result.ok()) {
    etcd_->RevokeLease(lease->id).IgnoreError();
    std::lock_guard<std::mutex> lock(mu_);
    reachable_ = !absl::IsUnavailable(result) && !absl::IsDeadlineExceeded(result);
    last_error_ = std::string(result.message());
    return result;
  }
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (stop_) {  // Leave() ran meanwhile: do not leave a key behind
      lock.unlock();
      etcd_->RevokeLease(lease->id).IgnoreError();
      return absl::CancelledError("leaving");
    }
    lease_ = lease->id;
    granted_ttl_ = lease->ttl;
    alive_since_ = sent;
    reachable_ = true;
    last_error_.clear();
  }
  wake_.notify_all();
  spdlog::info("cluster: registered {} = {} (lease {:x}, ttl {}s)", Key(), options_.advertise,
               lease->id, lease->ttl);
  return absl::OkStatus();
}

bool MasterMembership::Wait(std::unique_lock<std::mutex>& lock, Clock::duration d) {
  wake_.wait_for(lock, d, [this] { return stop_; });
  return !stop_;
}

void MasterMembership::LoseLease(const std::string& why) {
  if (lease_ == 0) return;
  if (leader_) spdlog::warn("cluster: no longer leading {}: {}", options_.cluster_name, why);
  spdlog::warn("cluster: lost the registration of {} ({}); registering again", Key(), why);
  lease_ = 0;
  leader_.reset();
  if (campaign_cancel_ != nullptr) campaign_cancel_->Cancel();
}

void MasterMembership::KeepLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  bool said_unreachable = lease_ == 0;  // Join() said it
  while (!stop_) {
    if (lease_ == 0) {
      lock.unlock();
      absl::Status s = Register();
      lock.lock();
      if (!s.ok()) {
        if (!said_unreachable || absl::IsAlreadyExists(s)) spdlog::error("cluster: {}", s.message());
        said_unreachable = true;
        if (!Wait(lock, std::chrono::seconds(1))) break;
        continue;
      }
    }
    const int64_t lease = lease_;
    const auto interval = std::chrono::milliseconds(granted_ttl_ * 1000 / 3);
    lock.unlock();
    const auto sent = Clock::now();
    absl::StatusOr<int64_t> ttl = etcd_->KeepAlive(lease);
    lock.lock();
    if (lease != lease_) continue;  // lost meanwhile
    if (ttl.ok()) {
      alive_since_ = sent;
      reachable_ = true;
      if (said_unreachable) spdlog::info("cluster: etcd answers again");
      said_unreachable = false;
      last_error_.clear();
    } else if (absl::IsNotFound(ttl.status())) {
      LoseLease("its lease expired");
    } else {
      reachable_ = false;
      last_error_ = std::string(ttl.status().message());
      if (!said_unreachable) {
        spdlog::error("cluster: etcd unreachable ({}); still serving the agents connected here",
                      ttl.status().message());
      }
      said_unreachable = true;
      if (Clock::now() - alive_since_ > std::chrono::seconds(granted_ttl_)) {
        LoseLease("etcd unreachable for longer than the lease");
      }
    }
    if (!Wait(lock, lease_ == 0 ? Clock::duration::zero() : interval)) break;
  }
}

void MasterMembership::CampaignLoop() {
  const std::string election = ElectionName(options_.cluster_name);
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    wake_.wait(lock, [this] { return stop_ || (lease_ != 0 && !leader_); });
    if (stop_) break;
    const int64_t lease = lease_;
    CallCancel cancel;
    campaign_cancel_ = &cancel;
    lock.unlock();
    absl::StatusOr<LeaderKey> won = etcd_->Campaign(election, lease, options_.cluster_id, cancel);
    lock.lock();
    campaign_cancel_ = nullptr;
    if (stop_) break;
    if (won.ok() && lease == lease_) {
      leader_ = *won;
      spdlog::info("cluster: leading {} (epoch {}): offline sweep, monthly tables, retention",
                   options_.cluster_name, won->rev);
      continue;
    }
    if (!won.ok() && !absl::IsCancelled(won.status())) {
      last_error_ = std::string(won.status().message());
      spdlog::warn("cluster: campaign for {}: {}", election, won.status().message());
      if (!Wait(lock, std::chrono::seconds(1))) break;
    }
  }
}

std::optional<int64_t> MasterMembership::LeaderEpoch() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!leader_ || lease_ == 0) return std::nullopt;
  auto deadline = alive_since_ + std::chrono::seconds(granted_ttl_) - LeaderMargin(granted_ttl_);
  if (Clock::now() >= deadline) return std::nullopt;
  return leader_->rev;
}

MembershipState MasterMembership::State() const {
  MembershipState state;
  state.leader_epoch = LeaderEpoch();
  std::lock_guard<std::mutex> lock(mu_);
  state.etcd_reachable = reachable_;
  state.registered = lease_ != 0;
  state.last_error = last_error_;
  return state;
}

void MasterMembership::Leave() {
  int64_t lease = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_ && lease_ == 0) return;
    stop_ = true;
    if (campaign_cancel_ != nullptr) campaign_cancel_->Cancel();
    lease = lease_;
    lease_ = 0;
    leader_.reset();
  }
  wake_.notify_all();
  if (keeper_.joinable()) keeper_.join();
  if (campaigner_.joinable()) campaigner_.join();
  if (lease == 0) return;
  // The key and the leadership are both under the lease: revoking it removes them at once.
  if (auto s = etcd_->RevokeLease(lease); !s.ok()) {
    spdlog::warn("cluster: revoking lease {:x}: {}; deleting {}", lease, s.message(), Key());
    etcd_->Delete(Key()).IgnoreError();
    return;
  }
  spdlog::info("cluster: left {} (removed {})", options_.cluster_name, Key());
}

}  // namespace asgard::cluster
