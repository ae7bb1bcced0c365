#include "web/node_bus.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/absl_fmt.h"
#include "spdlog/spdlog.h"
#include "web/sessions.h"

namespace asgard::web {

std::string NodeBus::Channel() { return redis::Key("web"); }

NodeBus::NodeBus(redis::Client& redis, const redis::Options& options, Handlers handlers)
    : redis_(redis), handlers_(std::move(handlers)), node_(RandomHex(8)) {
  subscriber_ = std::make_unique<redis::Subscriber>(
      options, Channel(), [this](const std::string& m) { Receive(m); },
      [this, options](bool live) {
        if (live) {
          spdlog::info("redis {}: sharing caches with the other web nodes", Describe(options));
        } else {
          spdlog::warn("redis {}: lost; caches are bounded by {} s until it is back",
                       Describe(options), kSessionCacheTtl.count());
        }
        // Whether up or down, what was published meanwhile may be lost.
        if (handlers_.missed) handlers_.missed();
      });
}

void NodeBus::ListsChanged() { Publish("L", ""); }
void NodeBus::SessionRevoked(const std::string& token_hash) { Publish("S", token_hash); }
void NodeBus::UserSessionsRevoked(int64_t user_id) { Publish("R", std::to_string(user_id)); }
void NodeBus::UserChanged(int64_t user_id) { Publish("U", std::to_string(user_id)); }

void NodeBus::Publish(const std::string& kind, const std::string& arg) {
  std::string message = absl::StrCat(node_, " ", kind);
  if (!arg.empty()) absl::StrAppend(&message, " ", arg);
  absl::StatusOr<redis::Reply> sent = redis_.Command({"PUBLISH", Channel(), message});
  if (!sent.ok()) {
    if (!publish_failing_.exchange(true)) {
      spdlog::warn("redis: cannot tell the other web nodes of a change ({}); they see it within "
                   "{} s",
                   sent.status().message(), kSessionCacheTtl.count());
    }
    return;
  }
  publish_failing_.store(false);
}

void NodeBus::Receive(const std::string& message) {
  std::vector<std::string> parts = absl::StrSplit(message, ' ');
  if (parts.size() < 2 || parts[0] == node_) return;
  const std::string& kind = parts[1];
  const std::string arg = parts.size() > 2 ? parts[2] : "";
  int64_t id = 0;
  if (kind == "L") {
    if (handlers_.lists_changed) handlers_.lists_changed();
  } else if (kind == "S" && !arg.empty()) {
    if (handlers_.session_revoked) handlers_.session_revoked(arg);
  } else if (kind == "R" && absl::SimpleAtoi(arg, &id)) {
    if (handlers_.user_sessions_revoked) handlers_.user_sessions_revoked(id);
  } else if (kind == "U" && absl::SimpleAtoi(arg, &id)) {
    if (handlers_.user_changed) handlers_.user_changed(id);
  }  // anything else: a newer node's message, ignored
}

}  // namespace asgard::web
