#include "redis/client.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace asgard::redis {

std::string Key(const std::string& name) { return absl::StrCat(kKeyPrefix, name); }

std::chrono::milliseconds NextBackoff(std::chrono::milliseconds previous) {
  constexpr std::chrono::milliseconds kFirst{100}, kMax{2000};
  return previous.count() == 0 ? kFirst : std::min(previous * 2, kMax);
}

Client::Client(Options options, Clock now) : options_(std::move(options)), now_(std::move(now)) {}

absl::Status Client::EnsureConnected() {
  if (connection_ && !connection_->broken()) return absl::OkStatus();
  connection_.reset();
  const auto now = now_();
  if (now < next_dial_) {
    // Quick: a request thread never waits on a Redis known to be down.
    return absl::UnavailableError(absl::StrCat(last_error_.message(), " (retrying soon)"));
  }
  absl::StatusOr<Connection> dialled = Connection::Connect(options_);
  if (!dialled.ok()) {
    backoff_ = NextBackoff(backoff_);
    next_dial_ = now + backoff_;
    last_error_ = dialled.status();
    return dialled.status();
  }
  connection_.emplace(*std::move(dialled));
  backoff_ = std::chrono::milliseconds(0);
  return absl::OkStatus();
}

absl::StatusOr<Reply> Client::Command(const std::vector<std::string>& args) {
  absl::MutexLock lock(&mu_);
  if (absl::Status s = EnsureConnected(); !s.ok()) return s;
  absl::StatusOr<Reply> reply = connection_->Command(args);
  if (connection_->broken()) {
    // Dial again on the next command, without waiting: a restarted Redis is found at once; a
    // dead one then starts the backoff.
    last_error_ = reply.status();
  }
  return reply;
}

absl::Status Client::Ping() { return Command({"PING"}).status(); }

}  // namespace asgard::redis
