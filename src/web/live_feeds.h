// File: live_feeds.h
// What the live streams of the console watch, each fetched once however many browsers watch
// it: one agent follow per (agent, task, output stream), one store poll every 2 s per
// (agent or task) of monitor points. A viewer costs no thread: its events are written into its
// stream (http::StreamSink) by the feed's reader or by the one ticker thread, which also pings
// every stream each 15 s and retires feeds nobody watches.
//
// A shared log follow starts with the last kSharedTail lines and keeps them, so a viewer who
// asks for up to that many gets its tail from memory, and one resuming after a line still kept
// (EventSource's Last-Event-ID) gets what followed it. Any other viewer (a longer tail, a resume
// from a line no longer kept) gets a follow of its own, as before.
//
//   live.WatchLog(agent, request, sink, std::move(slot));
//   live.WatchMonitor(2, app_id, sink, std::move(slot));
//
// Thread-safety: thread-safe. The destructor ends every follow and every stream.
#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/time/time.h"
#include "asgard/v1/agent.pb.h"
#include "http/message.h"
#include "store/store.h"
#include "web/agent_clients.h"

namespace asgard::web {

class LiveFeeds {
 public:
  static constexpr int kSharedTail = 1000;

  LiveFeeds(store::Store& store, AgentClients& agents, absl::TimeZone zone);
  ~LiveFeeds();
  LiveFeeds(const LiveFeeds&) = delete;
  LiveFeeds& operator=(const LiveFeeds&) = delete;

  // `request` as the agent's FollowLog takes it (ref, stream, lines, resume_after). `hold` is
  // kept until the stream ends (the user's stream slot).
  void WatchLog(const store::Agent& agent, const v1::LogRequest& request,
                std::shared_ptr<http::StreamSink> sink, std::shared_ptr<void> hold);
  // Points of `type` (1 agent, 2 app, 3 job, 4 timing) and `related` stored from now on.
  void WatchMonitor(int type, int64_t related, std::shared_ptr<http::StreamSink> sink,
                    std::shared_ptr<void> hold);

  // Agent follows running now (shared or not), for /metrics.
  int log_follows() const;

  struct Viewer {
    std::shared_ptr<http::StreamSink> sink;
    std::shared_ptr<void> hold;
  };
  class LogFeed;
  class MonitorFeed;

 private:
  using LogKey = std::tuple<int64_t, int, int64_t, std::string, int64_t>;  // private: serial
  using MonitorKey = std::pair<int, int64_t>;

  void Unwatch(const LogKey& key, const http::StreamSink* sink);
  void UnwatchMonitor(const MonitorKey& key, const http::StreamSink* sink);
  void Tick();

  store::Store& store_;
  AgentClients& agents_;
  const absl::TimeZone zone_;
  mutable std::mutex mu_;
  std::map<LogKey, std::shared_ptr<LogFeed>> logs_;
  std::map<MonitorKey, std::shared_ptr<MonitorFeed>> monitors_;
  // Feeds nobody watches any more: their reader threads are joined by the ticker.
  std::vector<std::shared_ptr<LogFeed>> retired_;
  int64_t next_private_ = 1;
  bool stopping_ = false;
  std::condition_variable wake_;
  std::thread ticker_;
};

}  // namespace asgard::web
