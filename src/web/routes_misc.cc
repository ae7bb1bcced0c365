// /health, /metrics, /dashboard, /cron/next, and the console's static files.
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "sched/cron_schedule.h"
#include "sched/time_format.h"
#include "web/body_fields.h"
#include "web/field_limits.h"
#include "web/web_api.h"

namespace asgard::web {
namespace {

constexpr int kMaxNextTimes = 100;

// What POST /cron/next asks for.
struct NextRequest {
  sched::CronSchedule schedule;
  absl::TimeZone zone;  // the answer's, as the request's tz (the spec's CRON_TZ= counts inside)
  int n = 5;
};

// spec (required), tz (a tz database name; default the web node's zone) and n (1..100, more is
// clamped): each checked before anything is loaded.
absl::StatusOr<NextRequest> ParseNextRequest(const Json& body, absl::TimeZone default_zone) {
  ASSIGN_OR_RETURN(std::string spec, Text(body, "spec", kMaxSpecBytes));
  if (spec.empty()) return FieldError("spec", "is required");
  ASSIGN_OR_RETURN(std::string tz, Text(body, "tz", kMaxZoneNameBytes));
  absl::TimeZone zone = default_zone;
  if (!tz.empty()) {
    auto loaded = sched::LoadZone(tz);
    if (!loaded.ok()) return FieldError("tz", std::string(loaded.status().message()));
    zone = *loaded;
  }
  ASSIGN_OR_RETURN(std::optional<int64_t> n, OptionalInt(body, "n", 1, INT64_MAX));
  auto schedule = sched::CronSchedule::Parse(spec, zone);
  if (!schedule.ok()) return FieldError("spec", std::string(schedule.status().message()));
  return NextRequest{*std::move(schedule), zone,
                     static_cast<int>(std::min<int64_t>(n.value_or(5), kMaxNextTimes))};
}

Json NextFireTimes(const NextRequest& request, absl::Time after) {
  Json next = Json::array();
  for (int i = 0; i < request.n; ++i) {
    auto fire = request.schedule.Next(after);
    if (!fire) break;
    next.push_back(sched::FormatIso8601(*fire, request.zone));
    after = *fire;
  }
  return next;
}

const char* StatusName(int status) {
  switch (status) {
    case store::kTaskRunning:
      return "running";
    case store::kTaskPaused:
      return "paused";
    case store::kTaskStopped:
      return "stopped";
    case store::kTaskFailed:
      return "failed";
    case store::kTimingDone:
      return "done";
    default:
      return "unknown";
  }
}

bool IsFile(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

constexpr char kNoConsole[] =
    "<!doctype html><meta charset=utf-8><title>Asgard</title>"
    "<h1>Asgard</h1><p>The web console is not built. Build it with "
    "<code>bash scripts/build-web-ui.sh</code> (needs Node.js and npm), or point "
    "<code>web.static_dir</code> at a built copy, then restart Asgard (it looks for the "
    "console when it starts). The API is at <code>/api/v1</code>.</p>";

}  // namespace

void WebApi::InstallMisc(http::Router& s) {
  // From memory on the I/O thread while the last answer holds (a probe asks often); on a
  // worker when the warnings must be read again.
  auto health = [this](const http::Request& req, http::Response& res) {
    const uint64_t writes = ListWrites();  // before the queries: see response_cache.h
    if (ResponseCache::Text cached = health_answers_.Get("health", writes)) {
      res.SetContent(*cached, "application/json");
      return;
    }
    if (req.on_io_thread) {
      res.needs_worker = true;
      return;
    }
    Json data = {{"status", "up"}, {"warnings", HealthWarnings()}};
    std::string text = Json{{"code", 200}, {"message", "ok"}, {"data", std::move(data)}}.dump();
    health_answers_.Put("health", writes, text);
    res.SetContent(std::move(text), "application/json");
  };
  s.Add("GET", "/health", health, http::RunOn::kIoThread);
  s.Add("GET", "/api/v1/health", health, http::RunOn::kIoThread);

  s.Add("GET", "/metrics", [this](const http::Request&, http::Response& res) {
    std::ostringstream out;
    out << "# HELP asgard_web_requests_total API requests served.\n"
           "# TYPE asgard_web_requests_total counter\n"
        << "asgard_web_requests_total " << requests_.load() << "\n"
        << "# HELP asgard_web_responses_total API responses by status code.\n"
           "# TYPE asgard_web_responses_total counter\n";
    {
      std::lock_guard<std::mutex> lock(metrics_mu_);
      for (const auto& [code, n] : responses_by_code_) {
        out << "asgard_web_responses_total{code=\"" << code << "\"} " << n << "\n";
      }
    }
    out << "# HELP asgard_agents Agents by status.\n# TYPE asgard_agents gauge\n";
    if (auto agents = store_.CountAgentsByStatus(); agents.ok()) {
      for (const auto& [st, n] : *agents) {
        const char* name = st == 1 ? "online" : st == 0 ? "offline" : "forbidden";
        out << "asgard_agents{status=\"" << name << "\"} " << n << "\n";
      }
    }
    out << "# HELP asgard_tasks Tasks by kind and status.\n# TYPE asgard_tasks gauge\n";
    for (auto kind : {store::TaskKind::kApp, store::TaskKind::kJob, store::TaskKind::kTiming}) {
      if (auto counts = store_.CountTasksByStatus(kind, std::nullopt); counts.ok()) {
        for (const auto& [st, n] : *counts) {
          out << "asgard_tasks{kind=\"" << KindWord(kind) << "\",status=\"" << StatusName(st)
              << "\"} " << n << "\n";
        }
      }
    }
    if (server_stats_) {
      http::ServerStats http = server_stats_();
      out << "# HELP asgard_web_connections Open HTTP connections.\n"
             "# TYPE asgard_web_connections gauge\n"
          << "asgard_web_connections " << http.connections << "\n"
          << "# HELP asgard_web_streams Open live streams.\n# TYPE asgard_web_streams gauge\n"
          << "asgard_web_streams " << http.streams << "\n"
          << "# HELP asgard_web_refused_total Connections and requests refused by a limit.\n"
             "# TYPE asgard_web_refused_total counter\n"
          << "asgard_web_refused_total{reason=\"connections\"} " << http.refused_connections
          << "\n"
          << "asgard_web_refused_total{reason=\"busy\"} " << http.refused_busy << "\n"
          << "# HELP asgard_web_timeouts_total Connections closed for a read or write timeout.\n"
             "# TYPE asgard_web_timeouts_total counter\n"
          << "asgard_web_timeouts_total " << http.timed_out << "\n";
    }
    out << "# HELP asgard_web_live_follows Agent log follows, each shared by its viewers.\n"
           "# TYPE asgard_web_live_follows gauge\n"
        << "asgard_web_live_follows " << live_.log_follows() << "\n";
    res.SetContent(out.str(), "text/plain; version=0.0.4");
  });

  Route(s, "GET", "/dashboard", Access::kUser, [this](Call& call) -> ApiResult {
    Json data = Json::object();
    auto agents = store_.CountAgentsByStatus();
    if (!agents.ok()) return FromStatus(agents.status());
    data["agents"] = {{"online", (*agents)[1]}, {"offline", (*agents)[0]},
                      {"forbidden", (*agents)[-1]}};
    std::optional<int64_t> creator;
    if (!call.admin()) creator = call.user_id();
    for (auto kind : {store::TaskKind::kApp, store::TaskKind::kJob, store::TaskKind::kTiming}) {
      auto counts = store_.CountTasksByStatus(kind, creator);
      if (!counts.ok()) return FromStatus(counts.status());
      Json by = {{"running", 0}, {"paused", 0}, {"stopped", 0}, {"failed", 0}, {"unknown", 0}};
      if (kind == store::TaskKind::kTiming) by["done"] = 0;
      int64_t total = 0;
      for (const auto& [st, n] : *counts) {
        by[StatusName(st)] = by.value(StatusName(st), int64_t{0}) + n;
        total += n;
      }
      by["total"] = total;
      data[absl::StrCat(KindWord(kind), "s")] = std::move(by);
    }
    store::ExceptionFilter filter;
    filter.size = 10;
    filter.creator = creator;
    Json recent = Json::array();
    if (auto page = store_.ListExceptionsPage(filter); page.ok()) {
      for (const auto& e : page->items) {
        std::string name;
        if (e.type >= 2 && e.type <= 4) {
          if (auto t = store_.GetTask(static_cast<store::TaskKind>(e.type), e.related_id); t.ok()) {
            name = t->input.name;
          }
        }
        recent.push_back({{"id", e.id},
                          {"type", e.type},
                          {"type_name", TypeWord(e.type)},
                          {"related_id", e.related_id},
                          {"name", name},
                          {"desc", e.desc},
                          {"created_at", TimeText(e.created_at, zone_)}});
      }
    }
    data["recent_exceptions"] = std::move(recent);
    return Ok(std::move(data));
  });

  Route(s, "POST", "/cron/next", Access::kUser, [this](Call& call) -> ApiResult {
    auto body = Body(call);
    if (!body.ok()) return FromStatus(body.status());
    auto request = ParseNextRequest(*body, zone_);
    if (!request.ok()) return FromStatus(request.status());
    return Ok({{"next", NextFireTimes(*request, absl::Now())}});
  });

  // Unknown /api/v1 routes: a JSON 404, not the console's page.
  Route(s, "GET", "/(.*)", Access::kPublic,
        [](Call& call) { return NotFound(absl::StrCat("no route GET ", call.req.path)); });
}

void WebApi::InstallStatic(http::Router& s, const std::string& static_dir) {
  std::string index = static_dir + "/index.html";
  if (static_dir.empty() || !IsFile(index)) {
    s.Add("GET", "/(.*)", [](const http::Request&, http::Response& res) {
      res.SetContent(kNoConsole, "text/html; charset=utf-8");
    }, http::RunOn::kIoThread);
    return;
  }
  static_files_ = std::make_unique<http::StaticFiles>(static_dir);
  // From memory on the I/O thread (StaticFiles keeps every file it served).
  s.Add("GET", "/(.*)", [this](const http::Request& req, http::Response& res) {
    if (static_files_->Serve(req, res)) {
      // Vite names the files under /assets/ by their content hash: a browser may keep them for
      // good (a reload then fetches ~2 KB instead of ~475 KB). Other files may change in place.
      res.SetHeader("Cache-Control", absl::StartsWith(req.path, "/assets/")
                                         ? "public, max-age=31536000, immutable"
                                         : "no-cache");
      return;
    }
    // Client routes of the single-page app (/apps/7, /login): the app's index.html.
    if (!static_files_->ServeFile("index.html", req, res)) {
      res.status = 404;
      res.SetContent("the console's index.html is gone; rebuild the console\n", "text/plain");
      return;
    }
    res.SetHeader("Content-Type", "text/html; charset=utf-8");
    res.SetHeader("Cache-Control", "no-cache");
  }, http::RunOn::kIoThread);
}

}  // namespace asgard::web
