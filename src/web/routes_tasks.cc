// /apps, /jobs, /timings: list, show, create, update, copy, start, restart, pause, delete, the
// batch forms, and /jobs/:id/run. Every change is stored first (the agent heals from the store
// at its next heartbeat) and then pushed to the agent at once.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "web/body_fields.h"
#include "web/field_limits.h"
#include "web/list_filters.h"
#include "web/web_api.h"

namespace asgard::web {
namespace {

using store::TaskKind;

int TypeOf(TaskKind kind) { return static_cast<int>(kind); }

v1::TaskRef RefOf(const store::Task& task) {
  v1::TaskRef ref;
  ref.set_kind(static_cast<v1::TaskKind>(task.kind));
  ref.set_id(task.id);
  return ref;
}

// The answer to a change that was stored but could not be pushed; `note` tells the writer
// about their task's identity (task_json.h RunAsNote).
ApiResult StoredNotPushed(Json data, const absl::Status& push, const std::string& note = "") {
  ApiResult r = Ok(std::move(data));
  std::vector<std::string> parts;
  if (!note.empty()) parts.push_back(note);
  if (!push.ok()) {
    parts.push_back(absl::StrCat(push.message(), " (the agent applies it when it is back)"));
  }
  if (!parts.empty()) r.message = absl::StrCat("saved; ", absl::StrJoin(parts, "; "));
  return r;
}

}  // namespace

void WebApi::InstallTasks(httplib::Server& s) {
  // Checks agent and group of a create or update body of a task now in group
  // `current_group` (0 for a new one); a note for the writer when the group is dropped.
  auto check_refs = [this](store::TaskInput& in,
                           int64_t current_group) -> absl::StatusOr<std::string> {
    auto agent = store_.GetAgent(in.agent_id);
    if (!agent.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("agent_id: no agent ", in.agent_id));
    }
    if (agent->forbidden()) {
      return absl::InvalidArgumentError(absl::StrCat("agent_id: agent ", in.agent_id,
                                                     " is forbidden"));
    }
    if (in.group_id <= 0) return std::string();
    auto group = ChooseGroup(in.group_id, current_group, store_.GetGroup(in.group_id));
    if (!group.ok()) return group.status();
    in.group_id = group->group_id;
    return group->note;
  };

  using Action = std::function<ApiResult(Call&, TaskKind, int64_t)>;
  Action start = [this](Call& call, TaskKind kind, int64_t id) -> ApiResult {
    auto task = LoadTask(call, kind, id);
    if (!task.ok()) return FromStatus(task.status());
    if (task->desired == store::Desired::kRun) {
      return Fail(409, absl::StrCat("the ", KindWord(kind), " is already started"));
    }
    auto updated = store_.SetDesired(kind, id, store::Desired::kRun, call.user_id());
    if (!updated.ok()) return FromStatus(updated.status());
    LogOperation(call, TypeOf(kind), id, kOpStart);
    return StoredNotPushed(TaskJson(*updated), PushDefinition(*updated));
  };
  Action pause = [this](Call& call, TaskKind kind, int64_t id) -> ApiResult {
    auto task = LoadTask(call, kind, id);
    if (!task.ok()) return FromStatus(task.status());
    if (task->desired == store::Desired::kPause) {
      return Fail(409, absl::StrCat("the ", KindWord(kind), " is already paused"));
    }
    auto updated = store_.SetDesired(kind, id, store::Desired::kPause, call.user_id());
    if (!updated.ok()) return FromStatus(updated.status());
    LogOperation(call, TypeOf(kind), id, kOpPause);
    return StoredNotPushed(TaskJson(*updated), PushDefinition(*updated));
  };
  Action restart = [this](Call& call, TaskKind kind, int64_t id) -> ApiResult {
    auto task = LoadTask(call, kind, id);
    if (!task.ok()) return FromStatus(task.status());
    if (task->desired != store::Desired::kRun) {
      auto updated = store_.SetDesired(kind, id, store::Desired::kRun, call.user_id());
      if (!updated.ok()) return FromStatus(updated.status());
      task = std::move(*updated);
    }
    auto agent = store_.GetAgent(task->input.agent_id);
    if (!agent.ok()) return FromStatus(agent.status());
    absl::Status pushed;
    if (kind == TaskKind::kApp) {
      pushed = agents_.Call(*agent, &v1::Agent::Stub::Restart, RefOf(*task)).status();
      if (absl::IsNotFound(pushed)) pushed = PushDefinition(*task);
    } else {
      pushed = PushDefinition(*task);
    }
    LogOperation(call, TypeOf(kind), id, kOpRestart);
    if (!pushed.ok()) return FromStatus(pushed);
    return Ok(TaskJson(*store_.GetTask(kind, id)));
  };
  Action remove = [this](Call& call, TaskKind kind, int64_t id) -> ApiResult {
    auto task = LoadTask(call, kind, id);
    if (!task.ok()) return FromStatus(task.status());
    if (task->desired == store::Desired::kRun) {
      return Fail(409, absl::StrCat("pause the ", KindWord(kind), " before deleting it"));
    }
    if (auto st = store_.DeleteTask(kind, id, call.user_id()); !st.ok()) return FromStatus(st);
    LogOperation(call, TypeOf(kind), id, kOpDelete);
    return StoredNotPushed(nullptr, PushRemove(*task, task->input.agent_id));
  };

  for (TaskKind kind : {TaskKind::kApp, TaskKind::kJob, TaskKind::kTiming}) {
    std::string base = absl::StrCat("/", KindWord(kind), "s");

    Route(s, "GET", base, Access::kUser, [this, kind](Call& call) -> ApiResult {
      auto paging = Paging(call);
      if (!paging.ok()) return FromStatus(paging.status());
      store::TaskFilter filter;
      std::tie(filter.page, filter.size) = *paging;
      filter.name = call.Param("name");
      if (auto st = CheckText("name", filter.name, kMaxFilterBytes); !st.ok()) {
        return FromStatus(st);
      }
      // The original's forms: group_id=0 and agent_id=0 mean any, status=-99 any status;
      // group_id=-1 lists the tasks without a group (list_filters.h).
      auto group = ParseGroupFilter(call.Param("group_id"));
      if (!group.ok()) return FromStatus(group.status());
      filter.group_id = *group;
      auto agent = ParseIdFilter(call.Param("agent_id"), "agent_id");
      if (!agent.ok()) return FromStatus(agent.status());
      filter.agent_id = *agent;
      auto status = ParseStatusFilter(call.Param("status"), -3, 3);
      if (!status.ok()) return FromStatus(status.status());
      filter.status = *status;
      if (!call.admin()) filter.creator = call.user_id();
      // Everything the page depends on besides the store; the name (any text) goes last.
      auto opt = [](const auto& v) { return v ? absl::StrCat(*v) : std::string("-"); };
      std::string key = absl::StrCat(KindWord(kind), "|", filter.page, "|", filter.size, "|",
                                     opt(filter.group_id), "|", opt(filter.agent_id), "|",
                                     opt(filter.status), "|", opt(filter.creator), "|",
                                     filter.name);
      const uint64_t writes = store_.WriteCount();  // before the queries: see response_cache.h
      if (ResponseCache::Text cached = task_pages_.Get(key, writes)) return OkJsonText(*cached);
      auto page = store_.ListTasks(kind, filter);
      if (!page.ok()) return FromStatus(page.status());
      // Written as text: a tree of 20 tasks' members cost more CPU than the queries (bench
      // README section 7). The members are PageJson's, in its order.
      NameCache names = PrefetchNames(page->items);
      std::string text;
      text.reserve(page->items.size() * 700 + 64);
      JsonWriter w(&text);
      w.BeginObject();
      w.Key("list");
      w.BeginArray();
      for (const auto& t : page->items) WriteTaskJson(w, t, NamesOf(t, &names), zone_);
      w.EndArray();
      w.Key("page");
      w.Int(filter.page);
      w.Key("page_size");
      w.Int(filter.size);
      w.Key("total");
      w.Int(page->total);
      w.EndObject();
      task_pages_.Put(key, writes, text);
      return OkJsonText(std::move(text));
    });

    Route(s, "GET", base + R"(/(\d+))", Access::kUser, [this, kind](Call& call) -> ApiResult {
      auto id = ParseId(call.Match(1), "id");
      if (!id.ok()) return FromStatus(id.status());
      auto task = LoadTask(call, kind, *id);
      if (!task.ok()) return FromStatus(task.status());
      return Ok(TaskJson(*task));
    });

    Route(s, "POST", base, Access::kUser, [this, kind, check_refs](Call& call) -> ApiResult {
      auto body = Body(call);
      if (!body.ok()) return FromStatus(body.status());
      auto input = ParseTaskInput(kind, *body, store::TaskInput{}, store::RightsOf(*call.user));
      if (!input.ok()) return FromStatus(input.status());
      if (auto st = check_refs(*input, 0); !st.ok()) return FromStatus(st.status());
      input->desired = store::Desired::kPause;  // created paused, as the original
      auto task = store_.CreateTask(kind, *input, call.user_id());
      if (!task.ok()) return FromStatus(task.status());
      LogOperation(call, TypeOf(kind), task->id, kOpCreate);
      return StoredNotPushed(TaskJson(*task), PushDefinition(*task),
                             RunAsNote(input->user, task->input.user));
    });

    Route(s, "PUT", base + R"(/(\d+))", Access::kUser,
          [this, kind, check_refs](Call& call) -> ApiResult {
            auto id = ParseId(call.Match(1), "id");
            if (!id.ok()) return FromStatus(id.status());
            auto task = LoadTask(call, kind, *id);
            if (!task.ok()) return FromStatus(task.status());
            auto body = Body(call);
            if (!body.ok()) return FromStatus(body.status());
            auto input = ParseTaskInput(kind, *body, task->input, store::RightsOf(*call.user));
            if (!input.ok()) return FromStatus(input.status());
            auto group_note = check_refs(*input, task->input.group_id);
            if (!group_note.ok()) return FromStatus(group_note.status());
            auto updated = store_.UpdateTask(kind, *id, *input, call.user_id());
            if (!updated.ok()) return FromStatus(updated.status());
            LogOperation(call, TypeOf(kind), *id, kOpUpdate);
            absl::Status pushed;
            if (task->input.agent_id != updated->input.agent_id) {
              // Moved: stopped on the old agent first.
              pushed = PushRemove(*task, task->input.agent_id);
            }
            if (pushed.ok()) pushed = PushDefinition(*updated);
            std::string note = RunAsNote(task->input.user, updated->input.user);
            if (!group_note->empty()) {
              note = absl::StrCat(note, note.empty() ? "" : "; ", *group_note);
            }
            return StoredNotPushed(TaskJson(*updated), pushed, note);
          });

    Route(s, "POST", base + R"(/(\d+)/copy)", Access::kUser, [this, kind](Call& call) -> ApiResult {
      auto id = ParseId(call.Match(1), "id");
      if (!id.ok()) return FromStatus(id.status());
      auto task = LoadTask(call, kind, *id);
      if (!task.ok()) return FromStatus(task.status());
      store::TaskInput input = task->input;
      input.name = absl::StrCat(input.name, "_copy");
      input.desired = store::Desired::kPause;
      // The copy is the copier's write: the store keeps `user` only if they may name it.
      auto copy = store_.CreateTask(kind, input, call.user_id());
      if (!copy.ok()) return FromStatus(copy.status());
      LogOperation(call, TypeOf(kind), *id, kOpCopy);
      return StoredNotPushed(TaskJson(*copy), PushDefinition(*copy),
                             RunAsNote(task->input.user, copy->input.user));
    });

    auto single = [this](Action action, TaskKind k) {
      return [action, k](Call& call) -> ApiResult {
        auto id = ParseId(call.Match(1), "id");
        if (!id.ok()) return FromStatus(id.status());
        return action(call, k, *id);
      };
    };
    Route(s, "POST", base + R"(/(\d+)/start)", Access::kUser, single(start, kind));
    Route(s, "POST", base + R"(/(\d+)/pause)", Access::kUser, single(pause, kind));
    Route(s, "POST", base + R"(/(\d+)/restart)", Access::kUser, single(restart, kind));
    Route(s, "DELETE", base + R"(/(\d+))", Access::kUser, single(remove, kind));

    auto batch = [this](Action action, TaskKind k) {
      return [this, action, k](Call& call) -> ApiResult {
        auto body = Body(call);
        if (!body.ok()) return FromStatus(body.status());
        auto ids = body->find("ids");
        if (ids == body->end() || !ids->is_array() || ids->empty()) {
          return BadRequest("ids: a non-empty array of ids is required");
        }
        if (ids->size() > 1000) return BadRequest("ids: at most 1000 per call");
        Json results = Json::array();
        for (const auto& item : *ids) {
          if (!item.is_number_integer()) return BadRequest("ids: every id must be an integer");
          if (auto id = IntValue(item, "ids", 1, kMaxId); !id.ok()) return FromStatus(id.status());
        }
        for (const auto& item : *ids) {
          int64_t id = item.get<int64_t>();
          ApiResult r = action(call, k, id);
          results.push_back({{"id", id}, {"code", r.code}, {"message", r.message}});
        }
        return Ok({{"results", std::move(results)}});
      };
    };
    Route(s, "POST", base + "/batch_start", Access::kUser, batch(start, kind));
    Route(s, "POST", base + "/batch_pause", Access::kUser, batch(pause, kind));
    Route(s, "POST", base + "/batch_restart", Access::kUser, batch(restart, kind));
    Route(s, "POST", base + "/batch_delete", Access::kUser, batch(remove, kind));
  }

  Route(s, "POST", R"(/jobs/(\d+)/run)", Access::kUser, [this](Call& call) -> ApiResult {
    auto id = ParseId(call.Match(1), "id");
    if (!id.ok()) return FromStatus(id.status());
    auto task = LoadTask(call, TaskKind::kJob, *id);
    if (!task.ok()) return FromStatus(task.status());
    if (task->desired != store::Desired::kRun) return Fail(409, "start the job before running it");
    auto agent = store_.GetAgent(task->input.agent_id);
    if (!agent.ok()) return FromStatus(agent.status());
    auto ran = agents_.Call(*agent, &v1::Agent::Stub::Trigger, RefOf(*task));
    if (absl::IsNotFound(ran.status())) {
      if (auto st = PushDefinition(*task); !st.ok()) return FromStatus(st);
      ran = agents_.Call(*agent, &v1::Agent::Stub::Trigger, RefOf(*task));
    }
    if (!ran.ok()) return FromStatus(ran.status());
    LogOperation(call, TypeOf(TaskKind::kJob), *id, kOpStart);
    return Ok(TaskJson(*task));
  });
}

}  // namespace asgard::web
