// File: node_bus.h
// What one web node tells the others through Redis (component.redis.asgard), on the channel
// `asgard2:web`: that a task, group or user was written (every node empties its list caches),
// that a session or every session of a user was revoked (every node drops them from its
// session cache), that a user changed (every node reads it again). The store stays the truth:
// a message only makes a node forget what it cached, so a lost one costs at most the cache
// bounds a node has without Redis (1 s), never a wrong answer after them.
//
//   NodeBus bus(redis, options, {.lists_changed = [&] { ... }, ...});
//   bus.ListsChanged();   // after a write of this node
//
// Messages are "<node> <kind> [<arg>]": L (lists), S <token hash>, R <user id> (sessions of the
// user), U <user id>. A node ignores its own. When the subscription is (re)established or lost,
// `missed` runs: messages may have been missed, so the owner forgets everything cached.
// Publishing happens on the caller's thread and fails quietly (logged once per outage): the
// write it follows is already in the store.
//
// Thread-safety: publishing methods may be called from any thread; handlers run on the
// subscriber's thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "redis/client.h"
#include "redis/subscriber.h"

namespace asgard::web {

class NodeBus {
 public:
  struct Handlers {
    std::function<void()> lists_changed;
    std::function<void(const std::string& token_hash)> session_revoked;
    std::function<void(int64_t user_id)> user_sessions_revoked;
    std::function<void(int64_t user_id)> user_changed;
    std::function<void()> missed;
  };

  // `redis` publishes (shared with the login throttle) and must outlive this object; the
  // subscription dials a connection of its own with `options`.
  NodeBus(redis::Client& redis, const redis::Options& options, Handlers handlers);
  NodeBus(const NodeBus&) = delete;
  NodeBus& operator=(const NodeBus&) = delete;

  void ListsChanged();
  void SessionRevoked(const std::string& token_hash);
  void UserSessionsRevoked(int64_t user_id);
  void UserChanged(int64_t user_id);

  // Subscribed and heard from within the last second.
  bool live() const { return subscriber_->live(); }

  // The channel, under redis::kKeyPrefix.
  static std::string Channel();

 private:
  void Publish(const std::string& kind, const std::string& arg);
  void Receive(const std::string& message);

  redis::Client& redis_;
  const Handlers handlers_;
  const std::string node_;  // random: tells this node's messages from the others'
  std::atomic<bool> publish_failing_{false};
  std::unique_ptr<redis::Subscriber> subscriber_;  // last: its thread calls the members above
};

}  // namespace asgard::web
