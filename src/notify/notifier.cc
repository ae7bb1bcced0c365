#include "notify/notifier.h"

#include "common/absl_fmt.h"
#include "spdlog/spdlog.h"

namespace asgard::notify {
namespace {

// A flood beyond this (thousands of tasks failing at once) is summarised by the log instead.
constexpr size_t kMaxQueued = 10000;
constexpr auto kSummaryCheckEvery = std::chrono::seconds(1);

}  // namespace

Notifier::Notifier(std::vector<std::unique_ptr<Channel>> channels, absl::Duration throttle,
                   DescribeFn describe)
    : channels_(std::move(channels)), describe_(std::move(describe)), throttle_(throttle) {
  if (enabled()) worker_ = std::thread([this] { Run(); });
}

Notifier::~Notifier() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
  if (!queue_.empty()) spdlog::warn("notify: {} alerts not sent at shutdown", queue_.size());
}

void Notifier::Post(Alert alert) {
  if (!enabled()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.size() >= kMaxQueued) {
      spdlog::warn("notify: {} alerts queued, dropping {} {}: {}", queue_.size(), alert.kind,
                   alert.id, alert.reason);
      return;
    }
    queue_.push_back(std::move(alert));
  }
  wake_.notify_one();
}

void Notifier::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    wake_.wait_for(lock, kSummaryCheckEvery, [this] { return stop_ || !queue_.empty(); });
    if (stop_) break;
    std::deque<Alert> batch;
    batch.swap(queue_);
    lock.unlock();
    absl::Time now = absl::Now();
    for (Alert& alert : batch) {
      if (auto out = throttle_.Offer(alert, now)) Deliver(std::move(*out));
    }
    for (Outgoing& summary : throttle_.Due(now)) Deliver(std::move(summary));
    lock.lock();
  }
}

void Notifier::Deliver(Outgoing out) {
  if (describe_) describe_(out.alert);
  for (const auto& channel : channels_) {
    if (absl::Status s = channel->Send(out); !s.ok()) {
      spdlog::warn("notify: {} failed for {} {}: {}", channel->Name(), out.alert.kind,
                   out.alert.id, s.message());
    } else {
      spdlog::info("notify: {} sent: {}", channel->Name(), Title(out));
    }
  }
}

}  // namespace asgard::notify
