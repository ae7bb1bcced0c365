// File: monitor_points.cc
#include "web/monitor_points.h"

#include "absl/strings/str_cat.h"
#include "web/json_writer.h"
#include "web/task_json.h"

namespace asgard::web {
namespace {

// How far back a chart reaches (two months, so that it spans the previous month's table), and
// how far ahead: an agent's clock may run a little ahead of this node's.
constexpr absl::Duration kLookBack = absl::Hours(24 * 62);
constexpr absl::Duration kLookAhead = absl::Minutes(1);

}  // namespace

MonitorPoints::MonitorPoints(store::Store& store, absl::TimeZone zone,
                             std::function<absl::Time()> now, ResponseCache::Clock clock)
    : store_(store),
      zone_(zone),
      now_(std::move(now)),
      answers_(std::chrono::seconds(1), std::move(clock)) {}

std::string MonitorPoints::Key(const Query& query) {
  return absl::StrCat(query.type, "|", query.id, "|", query.size, "|", query.viewer);
}

std::optional<std::string> MonitorPoints::Cached(const Query& query) {
  if (ResponseCache::Text cached = answers_.Get(Key(query), store_.WriteCount())) return *cached;
  return std::nullopt;
}

absl::StatusOr<std::string> MonitorPoints::Answer(const Query& query,
                                                  absl::FunctionRef<absl::Status()> check) {
  const std::string key = Key(query);
  const uint64_t writes = store_.WriteCount();  // before the queries: see response_cache.h
  if (ResponseCache::Text cached = answers_.Get(key, writes)) return *cached;
  if (absl::Status allowed = check(); !allowed.ok()) return allowed;
  absl::Time now = now_();
  auto points =
      store_.QueryMonitors(query.type, query.id, now - kLookBack, now + kLookAhead, query.size);
  if (!points.ok()) return points.status();
  std::string text = MonitorPointsJson(*points, zone_);
  answers_.Put(key, writes, text);
  return text;
}

std::string MonitorPointsJson(const std::vector<store::MonitorSample>& points,
                              absl::TimeZone zone) {
  std::string text;
  text.reserve(points.size() * 96 + 2);
  JsonWriter w(&text);
  w.BeginArray();
  for (const store::MonitorSample& p : points) {
    w.BeginObject();
    w.QuotedKey(R"("cpu":)");
    w.Double(p.cpu);
    w.QuotedKey(R"("created_at":)");
    w.String(TimeText(p.created_at, zone));
    w.QuotedKey(R"("memory":)");
    w.Double(p.memory);
    w.QuotedKey(R"("pid":)");
    w.Int(p.pid);
    w.QuotedKey(R"("threads":)");
    w.Int(p.threads);
    w.EndObject();
  }
  w.EndArray();
  return text;
}

}  // namespace asgard::web
