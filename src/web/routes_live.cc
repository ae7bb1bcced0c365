// Server-sent events: live log lines of a task (from the agent's follow stream, framed as
// sse_log.h says, resumable with Last-Event-ID) and live monitor points (from the store). Each open stream holds one pool thread of the HTTP server
// (sized for it, see web_role.cc) and one thread reading the agent; both end when the browser
// goes away or the server stops.
#include <condition_variable>
#include <deque>
#include <thread>

#include "absl/strings/str_cat.h"
#include "web/sse_log.h"
#include "web/web_api.h"

namespace asgard::web {
namespace {

constexpr auto kPingEvery = std::chrono::seconds(15);
constexpr auto kMonitorPoll = std::chrono::seconds(2);
constexpr size_t kMaxQueuedLines = 10000;

std::string Event(const char* name, const Json& data) {
  return absl::StrCat("event: ", name, "\ndata: ", data.dump(-1, ' ', false,
                                                             Json::error_handler_t::replace),
                      "\n\n");
}

bool Write(httplib::DataSink& sink, const std::string& text) {
  return sink.is_writable() && sink.write(text.data(), text.size());
}

struct LogLine {
  std::string text;
  std::optional<v1::LogPosition> end;  // where it ends (none from agents that do not say)
};

// The agent's follow stream, read on its own thread into a queue.
class LogRelay {
 public:
  ~LogRelay() {
    ctx_.TryCancel();
    if (reader_thread_.joinable()) reader_thread_.join();
  }

  void Start(AgentClients& clients, const store::Agent& agent, const v1::LogRequest& req) {
    auto reader = clients.Follow(agent, ctx_, req);
    if (!reader.ok()) {
      Finish(std::string(reader.status().message()));
      return;
    }
    reader_ = std::move(*reader);
    reader_thread_ = std::thread([this] {
      v1::LogLines lines;
      while (reader_->Read(&lines)) {
        const bool with_ends = lines.ends_size() == lines.lines_size();
        std::lock_guard<std::mutex> lock(mu_);
        for (int i = 0; i < lines.lines_size(); ++i) {
          if (queue_.size() >= kMaxQueuedLines) break;
          LogLine line{std::move(*lines.mutable_lines(i)), std::nullopt};
          if (with_ends) line.end = lines.ends(i);
          queue_.push_back(std::move(line));
        }
        wake_.notify_all();
      }
      grpc::Status s = reader_->Finish();
      Finish(s.ok() ? "" : s.error_message());
    });
  }

  // Lines that arrived, waiting up to `timeout` for the first; `ended` once the stream is over.
  std::vector<LogLine> Take(std::chrono::milliseconds timeout, bool* ended, std::string* error) {
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, timeout, [this] { return !queue_.empty() || done_; });
    std::vector<LogLine> out(std::make_move_iterator(queue_.begin()),
                                 std::make_move_iterator(queue_.end()));
    queue_.clear();
    *ended = done_ && out.empty();
    *error = error_;
    return out;
  }

 private:
  void Finish(std::string error) {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    error_ = std::move(error);
    wake_.notify_all();
  }

  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReader<v1::LogLines>> reader_;
  std::thread reader_thread_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<LogLine> queue_;
  bool done_ = false;
  std::string error_;
};

}  // namespace

void WebApi::InstallLive(httplib::Server& s) {
  Route(s, "GET", R"(/sse/(out|err)_log/(app|job|timing))", Access::kUser,
        [this](Call& call) -> ApiResult {
          std::string word = call.Match(2);
          auto kind = KindFromWord(word);
          auto id = ParseId(call.Param(word + "_id"), word + "_id");
          if (!id.ok()) return FromStatus(id.status());
          auto task = LoadTask(call, *kind, *id);
          if (!task.ok()) return FromStatus(task.status());
          auto agent = store_.GetAgent(task->input.agent_id);
          if (!agent.ok()) return FromStatus(agent.status());
          v1::LogRequest req;
          req.mutable_ref()->set_kind(static_cast<v1::TaskKind>(*kind));
          req.mutable_ref()->set_id(*id);
          req.set_stream(call.Match(1) == "out" ? "stdout" : "stderr");
          int lines = 50;
          if (std::string v = call.Param("lines"); !v.empty()) {
            if (auto n = ParseCount(v, "lines"); n.ok()) lines = static_cast<int>(std::min<int64_t>(*n, 5000));
          }
          req.set_lines(lines);
          // After the last line the client got: EventSource sends its last id when it
          // reconnects; a client that opens a new stream may give it as last_event_id.
          std::string last = call.req.get_header_value("Last-Event-ID");
          if (last.empty()) last = call.Param("last_event_id");
          if (!last.empty()) {
            auto after = ParseLogEventId(last);
            if (!after.ok()) return FromStatus(after.status());
            *req.mutable_resume_after() = *after;
          }
          auto relay = std::make_shared<LogRelay>();
          relay->Start(agents_, *agent, req);
          call.res.set_header("Cache-Control", "no-cache");
          call.res.set_header("X-Accel-Buffering", "no");
          call.res.set_chunked_content_provider(
              "text/event-stream",
              [relay](size_t, httplib::DataSink& sink) {
                bool ended = false;
                std::string error;
                auto lines = relay->Take(kPingEvery, &ended, &error);
                if (ended) {
                  if (!error.empty()) Write(sink, ErrorEvent(error));
                  sink.done();
                  return true;
                }
                if (lines.empty()) return Write(sink, Event("ping", Json::object()));
                std::string out;
                for (const LogLine& line : lines) {
                  out += LogEvent(line.text, line.end ? &*line.end : nullptr);
                }
                return Write(sink, out);
              },
              [relay](bool) { /* the relay (and its agent stream) ends with the last copy */ });
          return ApiResult{0, "", nullptr};
        });

  Route(s, "GET", R"(/sse/monitor/(agent|app|job|timing))", Access::kUser,
        [this](Call& call) -> ApiResult {
          std::string word = call.Match(1);
          auto id = ParseId(call.Param(word + "_id"), word + "_id");
          if (!id.ok()) return FromStatus(id.status());
          int type = 1;
          if (auto kind = KindFromWord(word)) {
            auto task = LoadTask(call, *kind, *id);
            if (!task.ok()) return FromStatus(task.status());
            type = static_cast<int>(*kind);
          } else if (!store_.GetAgent(*id).ok()) {
            return NotFound(absl::StrCat("no such agent ", *id));
          }
          auto since = std::make_shared<absl::Time>(absl::Now());
          auto quiet = std::make_shared<std::chrono::steady_clock::time_point>(
              std::chrono::steady_clock::now());
          int64_t related = *id;
          call.res.set_header("Cache-Control", "no-cache");
          call.res.set_chunked_content_provider(
              "text/event-stream",
              [this, type, related, since, quiet](size_t, httplib::DataSink& sink) {
                std::this_thread::sleep_for(kMonitorPoll);
                auto points = store_.QueryMonitors(type, related, *since + absl::Seconds(1),
                                                   absl::Now() + absl::Minutes(1), 100);
                std::string out;
                if (points.ok()) {
                  for (const auto& p : *points) {
                    out += Event("point", {{"cpu", p.cpu},
                                           {"memory", p.memory},
                                           {"created_at", TimeText(p.created_at, zone_)}});
                    *since = std::max(*since, p.created_at);
                  }
                }
                auto now = std::chrono::steady_clock::now();
                if (out.empty() && now - *quiet < kPingEvery) return sink.is_writable();
                *quiet = now;
                if (out.empty()) out = Event("ping", Json::object());
                return Write(sink, out);
              });
          return ApiResult{0, "", nullptr};
        });
}

}  // namespace asgard::web
