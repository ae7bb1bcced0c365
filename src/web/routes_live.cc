// Server-sent events: live log lines of a task (from the agent's follow stream, framed as
// sse_log.h says, resumable with Last-Event-ID) and live monitor points (from the store). A
// stream holds no thread: LiveFeeds (live_feeds.h) writes into it, one agent follow or store
// poll shared by every stream watching the same thing. A user holds at most
// web.max_streams_per_user streams at once.
#include "absl/strings/str_cat.h"
#include "web/sse_log.h"
#include "web/web_api.h"

namespace asgard::web {
namespace {

void MarkEventStream(http::Response& res) {
  res.SetHeader("Content-Type", "text/event-stream");
  res.SetHeader("Cache-Control", "no-cache");
  res.SetHeader("X-Accel-Buffering", "no");
}

}  // namespace

std::optional<ApiResult> WebApi::TakeStreamSlot(const Call& call, std::shared_ptr<void>* slot) {
  auto taken = user_limits_.TakeStream(call.user_id());
  if (!taken) {
    call.res.SetHeader("Retry-After", "5");
    return Fail(429, absl::StrCat("this user has ", config_.web.max_streams_per_user,
                                  " live streams open, the most one user may have "
                                  "(web.max_streams_per_user); close one first"));
  }
  *slot = std::make_shared<UserLimits::Slot>(std::move(*taken));
  return std::nullopt;
}

void WebApi::InstallLive(http::Router& s) {
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
          std::string last = call.req.Header("Last-Event-ID");
          if (last.empty()) last = call.Param("last_event_id");
          if (!last.empty()) {
            auto after = ParseLogEventId(last);
            if (!after.ok()) return FromStatus(after.status());
            *req.mutable_resume_after() = *after;
          }
          std::shared_ptr<void> slot;
          if (auto refused = TakeStreamSlot(call, &slot)) return *refused;
          MarkEventStream(call.res);
          call.res.stream = [this, agent = *agent, req,
                             slot](std::shared_ptr<http::StreamSink> sink) {
            live_.WatchLog(agent, req, std::move(sink), slot);
          };
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
          std::shared_ptr<void> slot;
          if (auto refused = TakeStreamSlot(call, &slot)) return *refused;
          MarkEventStream(call.res);
          call.res.stream = [this, type, related = *id,
                             slot](std::shared_ptr<http::StreamSink> sink) {
            live_.WatchMonitor(type, related, std::move(sink), slot);
          };
          return ApiResult{0, "", nullptr};
        });
}

}  // namespace asgard::web
