#include "web/live_feeds.h"

#include <deque>
#include <optional>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"
#include "web/json_writer.h"
#include "web/sse_log.h"
#include "web/task_json.h"

namespace asgard::web {
namespace {

constexpr auto kTick = std::chrono::seconds(1);
constexpr auto kPingEvery = std::chrono::seconds(15);
constexpr auto kMonitorPoll = std::chrono::seconds(2);
// A shared follow keeps at most this much of its tail (lines of up to 64 KiB each).
constexpr size_t kMaxKeptBytes = 8 * 1024 * 1024;

std::string Event(const char* name, const Json& data) {
  return absl::StrCat("event: ", name, "\ndata: ",
                      data.dump(-1, ' ', false, Json::error_handler_t::replace), "\n\n");
}

const std::string& PingEvent() {
  static const std::string kPing = Event("ping", Json::object());
  return kPing;
}

bool SamePosition(const v1::LogPosition& a, const v1::LogPosition& b) {
  return a.inode() == b.inode() && a.offset() == b.offset();
}

// Writes to every viewer, dropping those whose stream is over.
void WriteAll(std::vector<LiveFeeds::Viewer>& viewers, const std::string& text) {
  std::erase_if(viewers, [&](LiveFeeds::Viewer& viewer) { return !viewer.sink->Write(text); });
}

}  // namespace

class LiveFeeds::LogFeed {
 public:
  explicit LogFeed(bool shared) : shared_(shared) {}
  ~LogFeed() { Join(); }

  // Starts the agent's follow; every viewer gets the error when it cannot start.
  void Start(AgentClients& agents, const store::Agent& agent, const v1::LogRequest& request) {
    auto reader = agents.Follow(agent, ctx_, request);
    if (!reader.ok()) return Ended(std::string(reader.status().message()));
    reader_ = std::move(*reader);
    thread_ = std::thread([this] { Read(); });
  }

  enum class Joined { kYes, kNeedsOwnFollow, kEnded };
  // `lines`: how much of the tail the viewer gets (all of it: -1); `after`: resume there.
  Joined Add(Viewer viewer, int lines, const v1::LogPosition* after) {
    std::lock_guard<std::mutex> lock(mu_);
    if (ended_) return Joined::kEnded;
    if (after) {
      if (!primed_) return Joined::kNeedsOwnFollow;
      auto it = std::find_if(kept_.begin(), kept_.end(), [&](const Line& line) {
        return line.end && SamePosition(*line.end, *after);
      });
      if (it == kept_.end()) return Joined::kNeedsOwnFollow;
      if (!viewer.sink->Write(Events(std::next(it), kept_.end()))) return Joined::kYes;
      viewers_.push_back(std::move(viewer));
      return Joined::kYes;
    }
    if (!primed_) {
      waiting_.push_back({std::move(viewer), lines});
      return Joined::kYes;
    }
    if (viewer.sink->Write(Tail(lines))) viewers_.push_back(std::move(viewer));
    return Joined::kYes;
  }

  // True when nobody watches any more.
  bool Remove(const http::StreamSink* sink) {
    std::lock_guard<std::mutex> lock(mu_);
    std::erase_if(viewers_, [&](const Viewer& v) { return v.sink.get() == sink; });
    std::erase_if(waiting_, [&](const Waiting& w) { return w.viewer.sink.get() == sink; });
    return viewers_.empty() && waiting_.empty();
  }

  void Ping() {
    std::lock_guard<std::mutex> lock(mu_);
    WriteAll(viewers_, PingEvent());
  }

  bool ended() const {
    std::lock_guard<std::mutex> lock(mu_);
    return ended_;
  }
  void Cancel() { ctx_.TryCancel(); }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  struct Line {
    std::string text;
    std::optional<v1::LogPosition> end;  // none from agents that do not say
  };
  struct Waiting {
    Viewer viewer;
    int lines;
  };

  template <typename It>
  static std::string Events(It begin, It end) {
    std::string out;
    for (It it = begin; it != end; ++it) out += LogEvent(it->text, it->end ? &*it->end : nullptr);
    return out;
  }
  std::string Tail(int lines) const {
    size_t count = lines < 0 ? kept_.size() : std::min<size_t>(lines, kept_.size());
    return Events(kept_.end() - static_cast<std::ptrdiff_t>(count), kept_.end());
  }

  void Read() {
    v1::LogLines batch;
    while (reader_->Read(&batch)) {
      const bool with_ends = batch.ends_size() == batch.lines_size();
      std::vector<Line> lines;
      lines.reserve(batch.lines_size());
      for (int i = 0; i < batch.lines_size(); ++i) {
        Line line{std::move(*batch.mutable_lines(i)), std::nullopt};
        if (with_ends) line.end = batch.ends(i);
        lines.push_back(std::move(line));
      }
      Received(std::move(lines));
    }
    grpc::Status status = reader_->Finish();
    Ended(status.ok() || status.error_code() == grpc::StatusCode::CANCELLED
              ? ""
              : status.error_message());
  }

  void Received(std::vector<Line> lines) {
    std::lock_guard<std::mutex> lock(mu_);
    std::string events = Events(lines.begin(), lines.end());
    if (shared_) Keep(std::move(lines));
    if (!primed_) {
      // The first batch is the tail the follow started with.
      primed_ = true;
      for (Waiting& waiting : waiting_) {
        if (waiting.viewer.sink->Write(shared_ ? Tail(waiting.lines) : events)) {
          viewers_.push_back(std::move(waiting.viewer));
        }
      }
      waiting_.clear();
      return;
    }
    if (!events.empty()) WriteAll(viewers_, events);
  }

  void Keep(std::vector<Line> lines) {
    for (Line& line : lines) {
      kept_bytes_ += line.text.size();
      kept_.push_back(std::move(line));
    }
    while (kept_.size() > static_cast<size_t>(kSharedTail) ||
           (kept_bytes_ > kMaxKeptBytes && !kept_.empty())) {
      kept_bytes_ -= kept_.front().text.size();
      kept_.pop_front();
    }
  }

  void Ended(std::string error) {
    std::lock_guard<std::mutex> lock(mu_);
    ended_ = true;
    for (Waiting& waiting : waiting_) viewers_.push_back(std::move(waiting.viewer));
    waiting_.clear();
    for (Viewer& viewer : viewers_) {
      if (!error.empty()) viewer.sink->Write(ErrorEvent(error));
      viewer.sink->End();
    }
    viewers_.clear();
  }

  const bool shared_;
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReader<v1::LogLines>> reader_;
  std::thread thread_;
  mutable std::mutex mu_;
  bool primed_ = false;
  bool ended_ = false;
  std::deque<Line> kept_;
  size_t kept_bytes_ = 0;
  std::vector<Viewer> viewers_;
  std::vector<Waiting> waiting_;
};

class LiveFeeds::MonitorFeed {
 public:
  MonitorFeed(int type, int64_t related)
      : type_(type), related_(related), since_(absl::Now()),
        next_poll_(std::chrono::steady_clock::now() + kMonitorPoll) {}

  void Add(Viewer viewer) {
    std::lock_guard<std::mutex> lock(mu_);
    viewers_.push_back(std::move(viewer));
  }
  bool Remove(const http::StreamSink* sink) {
    std::lock_guard<std::mutex> lock(mu_);
    std::erase_if(viewers_, [&](const Viewer& v) { return v.sink.get() == sink; });
    return viewers_.empty();
  }
  void Ping() {
    std::lock_guard<std::mutex> lock(mu_);
    WriteAll(viewers_, PingEvent());
  }
  // One store query for every viewer, when its time has come.
  void Poll(store::Store& store, absl::TimeZone zone, std::chrono::steady_clock::time_point now) {
    if (now < next_poll_) return;
    next_poll_ = now + kMonitorPoll;
    auto points = store.QueryMonitors(type_, related_, since_ + absl::Seconds(1),
                                      absl::Now() + absl::Minutes(1), 100);
    if (!points.ok() || points->empty()) return;
    std::string events;
    for (const auto& p : *points) {
      events += Event("point", {{"cpu", p.cpu},
                                {"memory", p.memory},
                                {"created_at", TimeText(p.created_at, zone)}});
      since_ = std::max(since_, p.created_at);
    }
    std::lock_guard<std::mutex> lock(mu_);
    WriteAll(viewers_, events);
  }

 private:
  const int type_;
  const int64_t related_;
  absl::Time since_;  // ticker thread only
  std::chrono::steady_clock::time_point next_poll_;
  std::mutex mu_;
  std::vector<Viewer> viewers_;
};

LiveFeeds::LiveFeeds(store::Store& store, AgentClients& agents, absl::TimeZone zone)
    : store_(store), agents_(agents), zone_(zone), ticker_([this] { Tick(); }) {}

LiveFeeds::~LiveFeeds() {
  std::vector<std::shared_ptr<LogFeed>> feeds;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    for (auto& [key, feed] : logs_) feeds.push_back(feed);
    logs_.clear();
    monitors_.clear();
    for (auto& feed : retired_) feeds.push_back(feed);
    retired_.clear();
  }
  wake_.notify_all();
  ticker_.join();
  for (auto& feed : feeds) feed->Cancel();
  for (auto& feed : feeds) feed->Join();
}

void LiveFeeds::WatchLog(const store::Agent& agent, const v1::LogRequest& request,
                         std::shared_ptr<http::StreamSink> sink, std::shared_ptr<void> hold) {
  const http::StreamSink* raw = sink.get();
  Viewer viewer{std::move(sink), std::move(hold)};
  const bool may_share = request.lines() <= kSharedTail;
  LogKey key{agent.id, request.ref().kind(), request.ref().id(), request.stream(), 0};
  std::shared_ptr<LogFeed> to_start;
  bool joined = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    if (may_share) {
      auto it = logs_.find(key);
      if (it != logs_.end() && it->second->ended()) {
        retired_.push_back(std::move(it->second));
        logs_.erase(it);
        it = logs_.end();
      }
      const bool created = it == logs_.end();
      if (created) it = logs_.emplace(key, std::make_shared<LogFeed>(/*shared=*/true)).first;
      const v1::LogPosition* after = request.has_resume_after() ? &request.resume_after() : nullptr;
      joined = it->second->Add(viewer, request.lines(), after) == LogFeed::Joined::kYes;
      if (joined && created) to_start = it->second;
      if (!joined && created) logs_.erase(it);
    }
    if (!joined) {
      // A longer tail than a shared follow keeps, or a resume from a line it no longer has.
      std::get<4>(key) = next_private_++;
      to_start = logs_.emplace(key, std::make_shared<LogFeed>(/*shared=*/false)).first->second;
      to_start->Add(viewer, -1, nullptr);
    }
  }
  viewer.sink->OnClose([this, key, raw] { Unwatch(key, raw); });
  if (to_start) {
    v1::LogRequest upstream = request;
    if (std::get<4>(key) == 0) {
      upstream.set_lines(kSharedTail);
      upstream.clear_resume_after();
    }
    to_start->Start(agents_, agent, upstream);
  }
}

void LiveFeeds::Unwatch(const LogKey& key, const http::StreamSink* sink) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = logs_.find(key);
  if (it == logs_.end() || !it->second->Remove(sink)) return;
  it->second->Cancel();
  retired_.push_back(std::move(it->second));
  logs_.erase(it);
  wake_.notify_all();
}

void LiveFeeds::WatchMonitor(int type, int64_t related, std::shared_ptr<http::StreamSink> sink,
                             std::shared_ptr<void> hold) {
  const http::StreamSink* raw = sink.get();
  MonitorKey key{type, related};
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    auto& feed = monitors_[key];
    if (!feed) feed = std::make_shared<MonitorFeed>(type, related);
    feed->Add(Viewer{sink, std::move(hold)});
  }
  sink->OnClose([this, key, raw] { UnwatchMonitor(key, raw); });
}

void LiveFeeds::UnwatchMonitor(const MonitorKey& key, const http::StreamSink* sink) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = monitors_.find(key);
  if (it != monitors_.end() && it->second->Remove(sink)) monitors_.erase(it);
}

int LiveFeeds::log_follows() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(logs_.size());
}

void LiveFeeds::Tick() {
  auto next_ping = std::chrono::steady_clock::now() + kPingEvery;
  for (;;) {
    std::vector<std::shared_ptr<LogFeed>> logs, retired;
    std::vector<std::shared_ptr<MonitorFeed>> monitors;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait_for(lock, kTick, [this] { return stopping_ || !retired_.empty(); });
      if (stopping_) return;
      retired.swap(retired_);
      for (auto& [key, feed] : logs_) logs.push_back(feed);
      for (auto& [key, feed] : monitors_) monitors.push_back(feed);
    }
    for (auto& feed : retired) feed->Join();
    auto now = std::chrono::steady_clock::now();
    for (auto& feed : monitors) feed->Poll(store_, zone_, now);
    if (now >= next_ping) {
      next_ping = now + kPingEvery;
      for (auto& feed : logs) feed->Ping();
      for (auto& feed : monitors) feed->Ping();
    }
  }
}

}  // namespace asgard::web
