#include "redis/subscriber.h"

#include <poll.h>

#include "absl/strings/str_cat.h"
#include "common/absl_fmt.h"
#include "redis/client.h"
#include "spdlog/spdlog.h"

namespace asgard::redis {
namespace {

using std::chrono::steady_clock;
constexpr std::chrono::milliseconds kPingEvery{250};
constexpr std::chrono::milliseconds kSilenceLimit{1000};
constexpr std::chrono::milliseconds kPollSlice{100};  // how soon a stop is noticed

bool IsArrayStarting(const Reply& r, const char* kind) {
  return r.type == Reply::Type::kArray && !r.elements.empty() && r.elements[0].str == kind;
}

}  // namespace

Subscriber::Subscriber(Options options, std::string channel, OnMessage on_message,
                       OnState on_state)
    : options_(std::move(options)),
      channel_(std::move(channel)),
      on_message_(std::move(on_message)),
      on_state_(std::move(on_state)),
      thread_([this] { Run(); }) {}

Subscriber::~Subscriber() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

bool Subscriber::SleepOrStop(std::chrono::milliseconds d) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::FromChrono(d));
  return stopping_;
}

void Subscriber::SetLive(bool live) {
  if (live_.exchange(live, std::memory_order_acq_rel) == live) return;
  if (on_state_) on_state_(live);
}

void Subscriber::Run() {
  std::chrono::milliseconds backoff{0};
  bool warned = false;
  while (!SleepOrStop(backoff)) {
    absl::StatusOr<Connection> c = Connection::Connect(options_);
    absl::Status ended = c.ok() ? Listen(*c) : c.status();
    SetLive(false);
    if (ended.ok()) return;  // stopping
    if (!warned) {
      spdlog::warn("redis {}: the subscription to {} is down ({}); retrying", Describe(options_),
                   channel_, ended.message());
      warned = true;
    }
    // A subscription that worked for a while is dialled again at once; failures back off.
    backoff = NextBackoff(c.ok() ? std::chrono::milliseconds(0) : backoff);
    if (c.ok()) warned = false;
  }
}

absl::Status Subscriber::Listen(Connection& c) {
  if (absl::Status s = c.Send({"SUBSCRIBE", channel_}); !s.ok()) return s;
  if (absl::Status s = c.Flush(); !s.ok()) return s;
  auto heard = steady_clock::now();
  auto pinged = heard;
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return absl::OkStatus();
    }
    // Everything already received, then wait for more.
    while (true) {
      absl::StatusOr<std::optional<Reply>> reply = c.Buffered();
      if (!reply.ok()) return reply.status();
      if (!*reply) break;
      heard = steady_clock::now();
      const Reply& r = **reply;
      if (IsArrayStarting(r, "message") && r.elements.size() == 3) {
        if (on_message_) on_message_(r.elements[2].str);
      } else if (IsArrayStarting(r, "subscribe")) {
        spdlog::debug("redis {}: subscribed to {}", Describe(options_), channel_);
        SetLive(true);
      }  // "pong": heard is enough
    }
    const auto now = steady_clock::now();
    if (now - heard > kSilenceLimit) {
      return absl::UnavailableError(absl::StrCat("no answer for ", kSilenceLimit.count(), " ms"));
    }
    if (now - pinged >= kPingEvery) {
      if (absl::Status s = c.Send({"PING"}); !s.ok()) return s;
      if (absl::Status s = c.Flush(); !s.ok()) return s;
      pinged = now;
    }
    pollfd p{c.fd(), POLLIN, 0};
    int n = poll(&p, 1, static_cast<int>(kPollSlice.count()));
    if (n > 0) {
      if (absl::Status s = c.ReadSome(); !s.ok()) return s;
    }
  }
}

}  // namespace asgard::redis
