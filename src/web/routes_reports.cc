// Monitor points, archives, exceptions, the operation log, and log tails from agents.
#include "absl/strings/str_cat.h"
#include "web/web_api.h"

namespace asgard::web {
namespace {

constexpr int kMaxMonitorPoints = 1000;
constexpr int kMaxLogLines = 5000;

const char* ActionWord(int action) {
  switch (action) {
    case kOpCreate:
      return "created";
    case kOpUpdate:
      return "updated";
    case kOpDelete:
      return "deleted";
    case kOpCopy:
      return "copied";
    case kOpStart:
      return "started";
    case kOpRestart:
      return "restarted";
    case kOpPause:
      return "paused";
  }
  return "changed";
}

}  // namespace

// The name of what a report or an operation is about, for lists.
static std::string ObjectName(store::Store& store, int type, int64_t id) {
  if (type >= 2 && type <= 4) {
    auto t = store.GetTask(static_cast<store::TaskKind>(type), id);
    return t.ok() ? t->input.name : "";
  }
  if (type == 1) {
    auto a = store.GetAgent(id);
    return a.ok() ? (a->alias.empty() ? absl::StrCat(a->ip, ":", a->port) : a->alias) : "";
  }
  if (type == 5) {
    auto g = store.GetGroup(id);
    return g.ok() ? g->name : "";
  }
  if (type == 6) {
    auto u = store.GetUser(id);
    return u.ok() ? u->nickname : "";
  }
  return "";
}

absl::Status WebApi::MayViewMonitor(const Call& call, const std::string& word, int64_t id) {
  if (auto kind = KindFromWord(word)) return LoadTask(call, *kind, id).status();
  if (!store_.GetAgent(id).ok()) return absl::NotFoundError(absl::StrCat("no such agent ", id));
  return absl::OkStatus();
}

absl::StatusOr<int> WebApi::MonitorSize(const Call& call) const {
  std::string v = call.Param("size");
  if (v.empty()) return 100;
  auto n = ParseCount(v, "size");
  if (!n.ok()) return n.status();
  return static_cast<int>(std::clamp<int64_t>(*n, 1, kMaxMonitorPoints));
}

void WebApi::InstallReports(http::Router& s) {
  // GET /monitor/{agent,app,job,timing}?{kind}_id=&size=
  Route(s, "GET", R"(/monitor/(agent|app|job|timing))", Access::kUser,
        [this](Call& call) -> ApiResult {
          std::string word = call.Match(1);
          auto id = ParseId(call.Param(word + "_id"), word + "_id");
          if (!id.ok()) return FromStatus(id.status());
          auto may_view = [&] { return MayViewMonitor(call, word, *id); };
          auto size = MonitorSize(call);
          if (!size.ok() && call.memory_only()) return NeedsWorker();
          if (!size.ok()) {  // an unknown or foreign task is answered first, as ever
            if (absl::Status st = may_view(); !st.ok()) return FromStatus(st);
            return FromStatus(size.status());
          }
          auto kind = KindFromWord(word);
          MonitorPoints::Query query{.type = kind ? static_cast<int>(*kind) : 1,
                                     .id = *id,
                                     .size = *size,
                                     .viewer = call.admin() ? std::string("admin")
                                                            : absl::StrCat("user ", call.user_id())};
          if (call.memory_only()) {
            std::optional<std::string> cached = monitor_points_.Cached(query);
            return cached ? OkJsonText(*std::move(cached)) : NeedsWorker();
          }
          auto text = monitor_points_.Answer(query, may_view);
          if (!text.ok()) return FromStatus(text.status());
          return OkJsonText(std::move(*text));
        }, http::RunOn::kIoThread);  // a recent answer is given on the I/O thread

  Route(s, "GET", R"(/archives/(app|job|timing))", Access::kUser, [this](Call& call) -> ApiResult {
    std::string word = call.Match(1);
    auto kind = KindFromWord(word);
    auto id = ParseId(call.Param(word + "_id"), word + "_id");
    if (!id.ok()) return FromStatus(id.status());
    auto task = LoadTask(call, *kind, *id);
    if (!task.ok()) return FromStatus(task.status());
    auto paging = Paging(call);
    if (!paging.ok()) return FromStatus(paging.status());
    auto [page, size] = *paging;
    auto archives = store_.ListArchivesPage(static_cast<int>(*kind), *id, page, size);
    if (!archives.ok()) return FromStatus(archives.status());
    Json list = Json::array();
    for (const auto& a : archives->items) {
      list.push_back({{"id", a.id},
                      {"uuid", a.uuid},
                      {"pid", a.pid},
                      {"begin_time", TimeText(a.begin_time, zone_)},
                      {"end_time", TimeText(a.end_time, zone_)},
                      {"status", a.status},
                      {"signal", a.signal},
                      {"created_at", TimeText(a.created_at, zone_)}});
    }
    return Ok(PageJson(std::move(list), archives->total, page, size));
  });

  Route(s, "GET", "/exceptions", Access::kUser, [this](Call& call) -> ApiResult {
    auto paging = Paging(call);
    if (!paging.ok()) return FromStatus(paging.status());
    store::ExceptionFilter filter;
    std::tie(filter.page, filter.size) = *paging;
    if (std::string t = call.Param("type"); !t.empty()) {
      auto type = ParseId(t, "type");
      if (!type.ok() || *type < 1 || *type > 6) return BadRequest("type: must be 1..6");
      filter.type = static_cast<int>(*type);
    }
    if (!call.admin()) filter.creator = call.user_id();
    auto page = store_.ListExceptionsPage(filter);
    if (!page.ok()) return FromStatus(page.status());
    Json list = Json::array();
    for (const auto& e : page->items) {
      list.push_back({{"id", e.id},
                      {"type", e.type},
                      {"type_name", TypeWord(e.type)},
                      {"related_id", e.related_id},
                      {"name", ObjectName(store_, e.type, e.related_id)},
                      {"uuid", e.uuid},
                      {"desc", e.desc},
                      {"created_at", TimeText(e.created_at, zone_)}});
    }
    return Ok(PageJson(std::move(list), page->total, filter.page, filter.size));
  });

  Route(s, "GET", "/operations", Access::kUser, [this](Call& call) -> ApiResult {
    auto paging = Paging(call);
    if (!paging.ok()) return FromStatus(paging.status());
    store::OperationFilter filter;
    std::tie(filter.page, filter.size) = *paging;
    if (std::string u = call.Param("user_id"); !u.empty() && u != "0") {
      auto id = ParseId(u, "user_id");
      if (!id.ok()) return FromStatus(id.status());
      filter.user_id = *id;
    }
    if (!call.admin()) filter.user_id = call.user_id();  // their own actions only
    if (std::string t = call.Param("type"); !t.empty() && t != "0") {
      auto type = ParseId(t, "type");
      if (!type.ok() || *type < 1 || *type > 6) return BadRequest("type: must be 1..6");
      filter.type = static_cast<int>(*type);
    }
    auto page = store_.ListOperations(filter);
    if (!page.ok()) return FromStatus(page.status());
    Json list = Json::array();
    for (const auto& op : page->items) {
      std::string who = ObjectName(store_, 6, op.user_id);
      std::string what = ObjectName(store_, op.type, op.related_id);
      list.push_back({{"id", op.id},
                      {"user_id", op.user_id},
                      {"nickname", who},
                      {"type", op.type},
                      {"related_id", op.related_id},
                      {"action", op.action},
                      {"desc", absl::StrCat(who, " ", ActionWord(op.action), " ",
                                            TypeWord(op.type), " ", what)},
                      {"created_at", TimeText(op.created_at, zone_)}});
    }
    return Ok(PageJson(std::move(list), page->total, filter.page, filter.size));
  });

  // GET /out_logs/{app,job,timing}/data?{kind}_id=&lines=, and /err_logs/...
  Route(s, "GET", R"(/(out|err)_logs/(app|job|timing)/data)", Access::kUser,
        [this](Call& call) -> ApiResult {
          std::string stream = call.Match(1) == "out" ? "stdout" : "stderr";
          std::string word = call.Match(2);
          auto kind = KindFromWord(word);
          auto id = ParseId(call.Param(word + "_id"), word + "_id");
          if (!id.ok()) return FromStatus(id.status());
          auto task = LoadTask(call, *kind, *id);
          if (!task.ok()) return FromStatus(task.status());
          int lines = 50;
          if (std::string v = call.Param("lines"); !v.empty()) {
            auto n = ParseCount(v, "lines");
            if (!n.ok()) return FromStatus(n.status());
            lines = static_cast<int>(std::clamp<int64_t>(*n, 1, kMaxLogLines));
          }
          auto agent = store_.GetAgent(task->input.agent_id);
          if (!agent.ok()) return FromStatus(agent.status());
          v1::LogRequest req;
          req.mutable_ref()->set_kind(static_cast<v1::TaskKind>(*kind));
          req.mutable_ref()->set_id(*id);
          req.set_stream(stream);
          req.set_lines(lines);
          auto tail = agents_.Call(*agent, &v1::Agent::Stub::TailLog, req);
          if (absl::IsNotFound(tail.status()) &&
              (stream == "stdout" ? task->input.std_out : task->input.std_err).empty()) {
            return BadRequest(absl::StrCat("this ", word, " discards its ", stream));
          }
          if (!tail.ok()) return FromStatus(tail.status());
          Json content = Json::array();
          for (const auto& line : tail->lines()) content.push_back(line);
          return Ok({{word + "_id", *id},
                     {"path", stream == "stdout" ? task->input.std_out : task->input.std_err},
                     {"content", std::move(content)}});
        });
}

}  // namespace asgard::web
