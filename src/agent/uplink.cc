#include "agent/uplink.h"

#include <unistd.h>

#include "agent/on_loop.h"
#include "common/absl_fmt.h"
#include "rpc/auth.h"
#include "spdlog/spdlog.h"

namespace asgard::agent {
namespace {

constexpr auto kTick = std::chrono::seconds(1);
constexpr auto kRetryRegister = std::chrono::seconds(2);

RefKey KeyOfObserved(const v1::TaskObserved& o) {
  return {static_cast<int>(o.ref().kind()), o.ref().id()};
}

bool SessionLost(const grpc::Status& s) {
  return s.error_code() == grpc::StatusCode::NOT_FOUND ||
         s.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
         s.error_code() == grpc::StatusCode::PERMISSION_DENIED;
}

// Moves up to `max` items of each list from `from` into a new batch.
v1::ReportBatch Split(v1::ReportBatch& from, int max) {
  v1::ReportBatch part;
  auto move = [max](auto* src, auto* dst) {
    int n = std::min(max, src->size());
    for (int i = 0; i < n; ++i) dst->Add(std::move(*src->Mutable(i)));
    src->DeleteSubrange(0, n);
  };
  move(from.mutable_monitors(), part.mutable_monitors());
  move(from.mutable_archives(), part.mutable_archives());
  move(from.mutable_exceptions(), part.mutable_exceptions());
  return part;
}

bool Empty(const v1::ReportBatch& b) {
  return b.monitors_size() == 0 && b.archives_size() == 0 && b.exceptions_size() == 0;
}

}  // namespace

Uplink::Uplink(EventLoop& loop, TaskHost& host, ReportSpool& spool,
               std::shared_ptr<grpc::ChannelInterface> channel, UplinkOptions options)
    : Uplink(loop, host, spool, std::make_shared<FixedMaster>("master", std::move(channel)),
             std::move(options)) {}

Uplink::Uplink(EventLoop& loop, TaskHost& host, ReportSpool& spool,
               std::shared_ptr<MasterSource> masters, UplinkOptions options)
    : loop_(loop),
      host_(host),
      spool_(spool),
      masters_(std::move(masters)),
      options_(std::move(options)) {
  status_.last_contact = std::chrono::steady_clock::now();
  FollowMaster();
}

Uplink::~Uplink() { Stop(); }

UplinkStatus Uplink::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

void Uplink::NoteCall(bool ok, int64_t UplinkStatus::*counter) {
  std::lock_guard<std::mutex> lock(mu_);
  if (counter != nullptr) ++(status_.*counter);
  if (ok) status_.last_contact = std::chrono::steady_clock::now();
  status_.registered = agent_id_ != 0;
  status_.master = master_name_;
  status_.agent_id = agent_id_;
  status_.heartbeat_interval = interval_;
}

void Uplink::Start() { thread_ = std::thread([this] { Run(); }); }

void Uplink::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Uplink::SyncNow() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    sync_now_ = true;
  }
  wake_.notify_all();
}

bool Uplink::Sleep(std::chrono::steady_clock::duration d) {
  std::unique_lock<std::mutex> lock(mu_);
  wake_.wait_for(lock, d, [this] { return stop_ || sync_now_; });
  sync_now_ = false;
  return !stop_;
}

void Uplink::MastersChanged() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (in_flight_ != nullptr) in_flight_->TryCancel();
    sync_now_ = true;
  }
  wake_.notify_all();
}

Uplink::TrackedContext::TrackedContext(Uplink& owner, std::chrono::milliseconds timeout)
    : owner_(owner) {
  ctx_.set_deadline(std::chrono::system_clock::now() + timeout);
  rpc::AttachToken(ctx_, owner_.options_.token);
  ctx_.AddMetadata(rpc::kAgentKeyMetadata, owner_.options_.key);
  std::lock_guard<std::mutex> lock(owner_.mu_);
  owner_.in_flight_ = &ctx_;
}

Uplink::TrackedContext::~TrackedContext() {
  std::lock_guard<std::mutex> lock(owner_.mu_);
  if (owner_.in_flight_ == &ctx_) owner_.in_flight_ = nullptr;
}

std::unique_ptr<Uplink::TrackedContext> Uplink::Context(std::chrono::milliseconds timeout) {
  return std::make_unique<TrackedContext>(*this, timeout);
}

bool Uplink::FollowMaster() {
  std::optional<MasterSource::Target> target = masters_->Current();
  if (!target) {
    if (stub_) spdlog::warn("no master known: waiting for one (reports stay in the spool)");
    stub_.reset();
    channel_.reset();
    master_name_.clear();
    agent_id_ = 0;
    return false;
  }
  if (stub_ && target->name == master_name_) return true;
  if (!master_name_.empty()) {
    spdlog::info("moving from master {} to master {}", master_name_, target->name);
  }
  stub_ = v1::Master::NewStub(target->channel);
  channel_ = target->channel;
  master_name_ = target->name;
  agent_id_ = 0;  // a session belongs to one master: register with the new one
  register_failures_ = 0;
  return true;
}

void Uplink::NoteFailure(const grpc::Status& s) {
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
      s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
      s.error_code() == grpc::StatusCode::CANCELLED) {
    masters_->Unreachable(master_name_);
  }
}

void Uplink::Run() {
  auto next_beat = std::chrono::steady_clock::now();
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
    }
    auto now = std::chrono::steady_clock::now();
    FollowMaster();
    if (agent_id_ != 0 && masters_->CanMove() && channel_->GetState(false) != GRPC_CHANNEL_READY) {
      // The connection dropped (a killed master resets it): beat now, so that a dead master
      // is left within a tick, not at the next heartbeat.
      next_beat = now;
    }
    if (agent_id_ == 0) {
      if (!Register()) {
        RunCachedOnce();
        CollectReports();
        if (!Sleep(kRetryRegister)) return;
        continue;
      }
      next_beat = now;
    }
    if (now >= next_beat) {
      if (Heartbeat()) {
        next_beat = std::chrono::steady_clock::now() +
                    (beat_soon_ ? std::chrono::milliseconds(500) : interval_);
        beat_soon_ = false;
      } else {
        next_beat = std::chrono::steady_clock::now() + kTick;
      }
    }
    CollectReports();
    // Asked again: a move cancels the call in progress, and the next call must not go to the
    // master just left (a hung one would hold it for call_timeout).
    if (FollowMaster() && agent_id_ != 0) SendReports(options_.call_timeout);
    auto wait = std::min<std::chrono::steady_clock::duration>(
        kTick, std::max<std::chrono::steady_clock::duration>(
                   std::chrono::milliseconds(10), next_beat - std::chrono::steady_clock::now()));
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait_for(lock, wait, [this] { return stop_ || sync_now_; });
      if (sync_now_) next_beat = std::chrono::steady_clock::now();
      sync_now_ = false;
    }
  }
}

bool Uplink::Register() {
  if (!stub_) return false;
  v1::RegisterRequest req;
  req.set_ip(options_.ip);
  req.set_port(options_.port);
  req.set_uuid(options_.uuid);
  req.set_pid(getpid());
  req.set_version(options_.version);
  v1::RegisterResponse resp;
  auto ctx = Context(options_.register_timeout);
  grpc::Status s = stub_->Register(ctx->get(), req, &resp);
  if (!s.ok()) {
    NoteFailure(s);
    NoteCall(false, &UplinkStatus::register_failures);
    // Once, then every minute or so: a master down for an hour is one problem, not 1,800.
    if (register_failures_++ % 30 == 0) {
      if (s.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
        spdlog::error("the master refuses this agent's key: {}", s.error_message());
      } else if (s.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
        spdlog::error("the master refuses this agent's token ({}): set the same rpc.token on "
                      "the masters and the agents",
                      s.error_message());
      } else {
        spdlog::warn("cannot register with the master (attempt {}): {}", register_failures_,
                     s.error_message());
      }
    }
    return false;
  }
  register_failures_ = 0;
  agent_id_ = resp.agent_id();
  if (resp.heartbeat_interval() > 0) interval_ = std::chrono::seconds(resp.heartbeat_interval());
  send_full_ = true;
  last_sent_.clear();
  forbidden_ = resp.forbidden();
  NoteCall(true, nullptr);
  spdlog::info("registered with the master {} as agent {}{}", master_name_, agent_id_,
               forbidden_ ? " (forbidden: running nothing)" : "");
  auto running = OnLoop<int64_t>(loop_, [this] {
    return host_.has_assignment() ? host_.version() : int64_t{-1};
  });
  if (!running.ok() || *running != resp.assignment_version() || forbidden_) Pull();
  return true;
}

void Uplink::RunCachedOnce() {
  if (cached_applied_) return;
  cached_applied_ = true;
  if (!options_.cached) {
    spdlog::warn("the master is unreachable and no assignment is cached: running nothing yet");
    return;
  }
  spdlog::warn("the master is unreachable: running the cached assignment (version {}, {} tasks)",
               options_.cached->version(), options_.cached->tasks_size());
  v1::Assignment cached = *options_.cached;
  (void)OnLoop<bool>(loop_, [this, cached] {
    if (!host_.has_assignment()) host_.ApplyAssignment(cached);
    return true;
  });
}

std::optional<v1::Assignment> Uplink::PullPages() {
  constexpr int kAttempts = 3;  // the assignment may move while it is paged
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    v1::Assignment all;
    v1::PullAssignmentRequest req;
    req.set_agent_id(agent_id_);
    grpc::Status s;
    while (true) {
      v1::Assignment page;
      auto ctx = Context(options_.call_timeout);
      s = stub_->PullAssignment(ctx->get(), req, &page);
      if (!s.ok()) break;
      if (!req.has_after()) {
        all.set_agent_id(page.agent_id());
        all.set_version(page.version());
      }
      for (auto& t : *page.mutable_tasks()) *all.add_tasks() = std::move(t);
      if (!page.more() || page.tasks_size() == 0) return all;
      *req.mutable_after() = all.tasks(all.tasks_size() - 1).ref();
      req.set_version(all.version());
    }
    if (s.error_code() == grpc::StatusCode::ABORTED) continue;
    spdlog::warn("cannot pull the assignment: {}", s.error_message());
    NoteFailure(s);
    if (SessionLost(s)) agent_id_ = 0;
    NoteCall(false, nullptr);
    return std::nullopt;
  }
  spdlog::warn("the assignment kept changing while it was pulled; trying at the next beat");
  return std::nullopt;
}

bool Uplink::Pull() {
  std::optional<v1::Assignment> assignment = PullPages();
  if (!assignment) return false;
  cached_applied_ = true;  // the master's word from now on
  auto applied = OnLoop<bool>(loop_, [this, a = std::move(*assignment)] {
    host_.ApplyAssignment(a);
    return true;
  });
  beat_soon_ = true;
  return applied.ok();
}

bool Uplink::Heartbeat() {
  auto observed = OnLoop<std::vector<v1::TaskObserved>>(loop_, [this] { return host_.Observed(); });
  if (!observed.ok()) return false;
  v1::HeartbeatRequest req;
  req.set_agent_id(agent_id_);
  req.set_uuid(options_.uuid);
  req.set_full(send_full_);
  auto version = OnLoop<int64_t>(loop_, [this] { return host_.version(); });
  req.set_assignment_version(version.ok() ? *version : 0);
  std::map<RefKey, std::string> now_sent;
  v1::HeartbeatResponse resp;
  for (const v1::TaskObserved& o : *observed) {
    std::string bytes = o.SerializeAsString();
    auto key = KeyOfObserved(o);
    auto it = last_sent_.find(key);
    if (send_full_ || it == last_sent_.end() || it->second != bytes) {
      if (req.tasks_size() >= options_.max_observed_per_call) {
        // No message grows with the number of tasks: this part now, the rest after it.
        req.set_more(true);
        if (!BeatOnce(req, &resp)) return false;
        req.clear_tasks();
      }
      *req.add_tasks() = o;
    }
    now_sent.emplace(key, std::move(bytes));
  }
  req.set_more(false);
  if (!BeatOnce(req, &resp)) return false;
  last_sent_ = std::move(now_sent);
  send_full_ = resp.send_full();
  if (resp.forbidden() != forbidden_) {
    forbidden_ = resp.forbidden();
    spdlog::warn("the master {} this agent", forbidden_ ? "forbade" : "allowed");
  }
  if (!version.ok() || resp.assignment_version() != *version) Pull();
  return true;
}

bool Uplink::BeatOnce(v1::HeartbeatRequest& req, v1::HeartbeatResponse* resp) {
  auto ctx = Context(options_.call_timeout);
  grpc::Status s = stub_->Heartbeat(ctx->get(), req, resp);
  if (!s.ok()) {
    spdlog::warn("heartbeat failed: {}", s.error_message());
    NoteFailure(s);
    if (SessionLost(s)) agent_id_ = 0;
    NoteCall(false, &UplinkStatus::heartbeat_failures);
    return false;
  }
  NoteCall(true, &UplinkStatus::heartbeats);
  return true;
}

void Uplink::CollectReports() {
  auto batch = OnLoop<v1::ReportBatch>(loop_, [this] { return host_.TakeReports(); });
  if (batch.ok()) AppendToSpool(std::move(*batch));
}

void Uplink::AppendToSpool(v1::ReportBatch batch) {
  while (!Empty(batch)) {
    v1::ReportBatch part = Split(batch, options_.max_batch_items);
    if (auto seq = spool_.Append(std::move(part)); !seq.ok()) {
      spdlog::error("report spool: {}", seq.status());
      return;
    }
  }
}

bool Uplink::SendReports(std::chrono::milliseconds timeout) {
  while (auto front = spool_.Front()) {
    front->set_agent_id(agent_id_);
    v1::ReportAck ack;
    auto ctx = Context(timeout);
    grpc::Status s = stub_->Report(ctx->get(), *front, &ack);
    if (!s.ok()) {
      spdlog::warn("report {} not delivered ({} pending): {}", front->seq(), spool_.size(),
                   s.error_message());
      NoteFailure(s);
      if (SessionLost(s)) agent_id_ = 0;
      NoteCall(false, nullptr);
      return false;
    }
    NoteCall(true, &UplinkStatus::reports_sent);
    if (ack.stored_seq() < front->seq()) {
      spdlog::error("the master acknowledged report {} for {}; retrying later", ack.stored_seq(),
                    front->seq());
      return false;
    }
    if (auto a = spool_.Ack(ack.stored_seq()); !a.ok()) {
      spdlog::error("report spool: {}", a);
      return false;
    }
  }
  return true;
}

void Uplink::FlushOnce(v1::ReportBatch batch, std::chrono::milliseconds timeout) {
  AppendToSpool(std::move(batch));
  if (agent_id_ != 0 && stub_) SendReports(timeout);
}

}  // namespace asgard::agent
