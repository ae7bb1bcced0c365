// /apps, /jobs, /timings: list, show, create, update, copy, start, restart, pause, delete, the
// batch forms, and /jobs/:id/run. Each route parses its request, calls TaskControl (the rules,
// task_control.h) and writes the answer.
#include "absl/strings/str_cat.h"
#include "web/body_fields.h"
#include "web/field_limits.h"
#include "web/list_filters.h"
#include "web/web_api.h"

namespace asgard::web {
namespace {

using store::TaskKind;

// The answer to a stored change: its task (none for a delete) and ChangeMessage.
ApiResult Answer(const absl::StatusOr<TaskChange>& change, Json data) {
  if (!change.ok()) return FromStatus(change.status());
  ApiResult r = Ok(std::move(data));
  r.message = ChangeMessage(*change);
  return r;
}

}  // namespace

ApiResult WebApi::ChangeAnswer(const absl::StatusOr<TaskChange>& change) {
  if (!change.ok()) return FromStatus(change.status());
  return Answer(change, TaskJson(change->task));
}

std::string WebApi::TaskPageJson(const store::Page<store::Task>& page,
                                 const store::TaskFilter& filter) {
  // Written as text: a tree of 20 tasks' members cost more CPU than the queries (bench README
  // section 7). The members are PageJson's, in its order.
  NameCache names = PrefetchNames(page.items);
  std::string text;
  text.reserve(page.items.size() * 700 + 64);
  JsonWriter w(&text);
  w.BeginObject();
  w.Key("list");
  w.BeginArray();
  for (const auto& t : page.items) WriteTaskJson(w, t, NamesOf(t, &names), zone_, NextRunOf(t));
  w.EndArray();
  w.Key("page");
  w.Int(filter.page);
  w.Key("page_size");
  w.Int(filter.size);
  w.Key("total");
  w.Int(page.total);
  w.EndObject();
  return text;
}

void WebApi::InstallTasks(http::Router& s) {
  for (TaskKind kind : {TaskKind::kApp, TaskKind::kJob, TaskKind::kTiming}) {
    std::string base = absl::StrCat("/", KindWord(kind), "s");

    Route(s, "GET", base, Access::kUser, [this, kind](Call& call) -> ApiResult {
      auto paging = Paging(call);
      if (!paging.ok()) return FromStatus(paging.status());
      auto parsed = ParseTaskFilter([&call](const std::string& name) { return call.Param(name); });
      if (!parsed.ok()) return FromStatus(parsed.status());
      std::tie(parsed->page, parsed->size) = *paging;
      const store::TaskFilter filter = TaskControl::VisibleTo(*call.user, *std::move(parsed));
      const std::string key = TaskPageKey(kind, filter);
      const uint64_t writes = ListWrites();  // before the queries: see response_cache.h
      if (ResponseCache::Text cached = task_pages_.Get(key, writes)) return OkJsonText(*cached);
      if (call.memory_only()) return NeedsWorker();
      auto page = store_.ListTasks(kind, filter);
      if (!page.ok()) return FromStatus(page.status());
      std::string text = TaskPageJson(*page, filter);
      task_pages_.Put(key, writes, text);
      return OkJsonText(std::move(text));
    }, http::RunOn::kIoThread);  // a page still cached is answered on the I/O thread

    Route(s, "GET", base + R"(/(\d+))", Access::kUser, [this, kind](Call& call) -> ApiResult {
      auto id = ParseId(call.Match(1), "id");
      if (!id.ok()) return FromStatus(id.status());
      auto task = tasks_.Load(*call.user, kind, *id);
      if (!task.ok()) return FromStatus(task.status());
      return Ok(TaskJson(*task));
    });

    Route(s, "POST", base, Access::kUser, [this, kind](Call& call) -> ApiResult {
      auto body = Body(call);
      if (!body.ok()) return FromStatus(body.status());
      return ChangeAnswer(tasks_.Create(*call.user, kind, *body));
    });

    Route(s, "PUT", base + R"(/(\d+))", Access::kUser, [this, kind](Call& call) -> ApiResult {
      auto id = ParseId(call.Match(1), "id");
      if (!id.ok()) return FromStatus(id.status());
      // The task is looked up before the body is read: a bad body on another user's task is a 403.
      if (auto task = tasks_.Load(*call.user, kind, *id); !task.ok()) {
        return FromStatus(task.status());
      }
      auto body = Body(call);
      if (!body.ok()) return FromStatus(body.status());
      return ChangeAnswer(tasks_.Update(*call.user, kind, *id, *body));
    });

    Route(s, "POST", base + R"(/(\d+)/copy)", Access::kUser, [this, kind](Call& call) -> ApiResult {
      auto id = ParseId(call.Match(1), "id");
      if (!id.ok()) return FromStatus(id.status());
      return ChangeAnswer(tasks_.Copy(*call.user, kind, *id));
    });

    auto single = [this, kind](TaskAction action) {
      return [this, kind, action](Call& call) -> ApiResult {
        auto id = ParseId(call.Match(1), "id");
        if (!id.ok()) return FromStatus(id.status());
        auto change = tasks_.Apply(action, *call.user, kind, *id);
        if (action == TaskAction::kDelete) return Answer(change, nullptr);
        return ChangeAnswer(change);
      };
    };
    Route(s, "POST", base + R"(/(\d+)/start)", Access::kUser, single(TaskAction::kStart));
    Route(s, "POST", base + R"(/(\d+)/pause)", Access::kUser, single(TaskAction::kPause));
    Route(s, "POST", base + R"(/(\d+)/restart)", Access::kUser, single(TaskAction::kRestart));
    Route(s, "DELETE", base + R"(/(\d+))", Access::kUser, single(TaskAction::kDelete));

    auto batch = [this, kind](TaskAction action) {
      return [this, kind, action](Call& call) -> ApiResult {
        auto body = Body(call);
        if (!body.ok()) return FromStatus(body.status());
        auto ids = ParseBatchIds(*body);
        if (!ids.ok()) return FromStatus(ids.status());
        Json results = Json::array();
        for (const auto& [id, change] : tasks_.Batch(action, *call.user, kind, *ids)) {
          const ApiResult r = Answer(change, nullptr);
          results.push_back({{"id", id}, {"code", r.code}, {"message", r.message}});
        }
        return Ok({{"results", std::move(results)}});
      };
    };
    Route(s, "POST", base + "/batch_start", Access::kUser, batch(TaskAction::kStart));
    Route(s, "POST", base + "/batch_pause", Access::kUser, batch(TaskAction::kPause));
    Route(s, "POST", base + "/batch_restart", Access::kUser, batch(TaskAction::kRestart));
    Route(s, "POST", base + "/batch_delete", Access::kUser, batch(TaskAction::kDelete));
  }

  Route(s, "POST", R"(/jobs/(\d+)/run)", Access::kUser, [this](Call& call) -> ApiResult {
    auto id = ParseId(call.Match(1), "id");
    if (!id.ok()) return FromStatus(id.status());
    auto task = tasks_.RunJob(*call.user, *id);
    if (!task.ok()) return FromStatus(task.status());
    return Ok(TaskJson(*task));
  });
}

}  // namespace asgard::web
