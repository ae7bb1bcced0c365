// /agents and /groups.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "web/body_fields.h"
#include "web/field_limits.h"
#include "web/list_filters.h"
#include "web/user_input.h"
#include "web/user_json.h"
#include "web/web_api.h"

namespace asgard::web {
namespace {

constexpr int kTypeAgent = 1;
constexpr int kTypeGroup = 5;

}  // namespace

void WebApi::InstallAgentsAndGroups(http::Router& s) {
  auto agent_json = [this](const store::Agent& a) {
    Json j = {{"id", a.id},         {"alias", a.alias},   {"ip", a.ip},
              {"port", a.port},     {"master", a.master}, {"status", a.status},
              {"name", AgentName(a)}, {"pid", a.pid},
              {"created_at", TimeText(a.created_at, zone_)},
              {"last_heartbeat_at", nullptr},
              // Reached without TLS off loopback: the console warns (SPEC 5).
              {"in_clear", InClear(a) ? 1 : 0}};
    if (a.last_heartbeat_at) j["last_heartbeat_at"] = TimeText(*a.last_heartbeat_at, zone_);
    return j;
  };

  Route(s, "GET", "/agents", Access::kUser, [this, agent_json](Call& call) -> ApiResult {
    auto paging = Paging(call);
    if (!paging.ok()) return FromStatus(paging.status());
    auto [page, size] = *paging;
    auto agents = store_.ListAgents();
    if (!agents.ok()) return FromStatus(agents.status());
    std::string alias = call.Param("alias");
    if (auto st = CheckText("alias", alias, kMaxFilterBytes); !st.ok()) return FromStatus(st);
    // 1 online, 0 offline, -1 forbidden; -99 any (list_filters.h).
    auto status = ParseStatusFilter(call.Param("status"), -1, 1);
    if (!status.ok()) return FromStatus(status.status());
    Json list = Json::array();
    int64_t total = 0;
    for (const auto& a : *agents) {
      if (!alias.empty() && !absl::StrContains(a.alias, alias) &&
          !absl::StrContains(a.ip, alias)) {
        continue;
      }
      if (*status && a.status != **status) continue;
      if (total >= static_cast<int64_t>(page - 1) * size && list.size() < static_cast<size_t>(size)) {
        list.push_back(agent_json(a));
      }
      ++total;
    }
    return Ok(PageJson(std::move(list), total, page, size));
  });

  Route(s, "GET", R"(/agents/(\d+))", Access::kUser, [this, agent_json](Call& call) -> ApiResult {
    auto id = ParseId(call.Match(1), "id");
    if (!id.ok()) return FromStatus(id.status());
    auto agent = store_.GetAgent(*id);
    if (!agent.ok()) return NotFound(absl::StrCat("no such agent ", *id));
    return Ok(agent_json(*agent));
  });

  Route(s, "PUT", R"(/agents/(\d+))", Access::kAdmin, [this, agent_json](Call& call) -> ApiResult {
    auto id = ParseId(call.Match(1), "id");
    if (!id.ok()) return FromStatus(id.status());
    auto body = Body(call);
    if (!body.ok()) return FromStatus(body.status());
    auto alias = ParseAgentAlias(*body);
    if (!alias.ok()) return FromStatus(alias.status());
    if (auto st = store_.SetAgentAlias(*id, *alias); !st.ok()) {
      return FromStatus(st);
    }
    LogOperation(call, kTypeAgent, *id, kOpUpdate);
    return Ok(agent_json(*store_.GetAgent(*id)));
  });

  Route(s, "POST", R"(/agents/(\d+)/forbidden)", Access::kAdmin, [this](Call& call) -> ApiResult {
    auto id = ParseId(call.Match(1), "id");
    if (!id.ok()) return FromStatus(id.status());
    auto agent = store_.GetAgent(*id);
    if (!agent.ok()) return NotFound(absl::StrCat("no such agent ", *id));
    if (auto st = store_.ForbidAgent(*id, call.user_id()); !st.ok()) return FromStatus(st);
    LogOperation(call, kTypeAgent, *id, kOpDelete);
    // The agent stops its tasks when it next hears from the master; tell it now.
    v1::SyncRequest sync;
    auto pushed = agents_.Call(*agent, &v1::Agent::Stub::Sync, sync);
    if (!pushed.ok()) {
      return Ok({{"pushed", false}, {"warning", std::string(pushed.status().message())}});
    }
    return Ok({{"pushed", true}});
  });

  // A reinstalled host has a new agent key: an administrator lets it register again.
  Route(s, "POST", R"(/agents/(\d+)/reset_key)", Access::kAdmin, [this](Call& call) -> ApiResult {
    auto id = ParseId(call.Match(1), "id");
    if (!id.ok()) return FromStatus(id.status());
    if (auto st = store_.ResetAgentKey(*id); !st.ok()) return FromStatus(st);
    LogOperation(call, kTypeAgent, *id, kOpUpdate);
    return Ok();
  });

  Route(s, "GET", "/groups", Access::kUser, [this](Call& call) -> ApiResult {
    auto paging = Paging(call);
    if (!paging.ok()) return FromStatus(paging.status());
    auto [page, size] = *paging;
    std::string name = call.Param("name");
    if (auto st = CheckText("name", name, kMaxFilterBytes); !st.ok()) return FromStatus(st);
    // 1 in use, 0 not in use, -1 deleted (listed only when asked for); -99 any but deleted.
    auto status = ParseStatusFilter(call.Param("status"), -1, 1);
    if (!status.ok()) return FromStatus(status.status());
    auto groups = store_.ListGroups(/*include_deleted=*/*status == -1);
    if (!groups.ok()) return FromStatus(groups.status());
    Json list = Json::array();
    int64_t total = 0;
    for (const auto& g : *groups) {
      if (!name.empty() && !absl::StrContains(g.name, name)) continue;
      if (*status && g.status != **status) continue;
      if (total >= static_cast<int64_t>(page - 1) * size && list.size() < static_cast<size_t>(size)) {
        list.push_back(GroupToJson(g, zone_));
      }
      ++total;
    }
    return Ok(PageJson(std::move(list), total, page, size));
  });

  Route(s, "POST", "/groups", Access::kUser, [this](Call& call) -> ApiResult {
    auto body = Body(call);
    if (!body.ok()) return FromStatus(body.status());
    auto input = ParseGroupInput(*body, GroupWrite::kCreate);
    if (!input.ok()) return FromStatus(input.status());
    auto group = store_.CreateGroup(input->name, call.user_id(), input->status.value_or(1));
    if (!group.ok()) return FromStatus(group.status());
    LogOperation(call, kTypeGroup, group->id, kOpCreate);
    return Ok(GroupToJson(*group, zone_));
  });

  auto own_group = [this](const Call& call, int64_t id) -> absl::StatusOr<store::Group> {
    auto group = store_.GetGroup(id);
    if (!group.ok() || group->status == -1) {
      return absl::NotFoundError(absl::StrCat("no such group ", id));
    }
    if (!call.admin() && group->creator != call.user_id()) {
      return absl::PermissionDeniedError("this group belongs to another user");
    }
    return group;
  };

  Route(s, "PUT", R"(/groups/(\d+))", Access::kUser, [this, own_group](Call& call) -> ApiResult {
    auto id = ParseId(call.Match(1), "id");
    if (!id.ok()) return FromStatus(id.status());
    auto old = own_group(call, *id);
    if (!old.ok()) return FromStatus(old.status());
    auto body = Body(call);
    if (!body.ok()) return FromStatus(body.status());
    auto input = ParseGroupInput(*body, GroupWrite::kUpdate);
    if (!input.ok()) return FromStatus(input.status());
    if (input->status == -1) {  // the original's PUT deletes this way
      if (auto st = store_.DeleteGroup(*id, call.user_id()); !st.ok()) return FromStatus(st);
      LogOperation(call, kTypeGroup, *id, kOpDelete);
      auto deleted = store_.GetGroup(*id);
      if (!deleted.ok()) return FromStatus(deleted.status());
      return Ok(GroupToJson(*deleted, zone_));
    }
    const std::string& name = input->name.empty() ? old->name : input->name;
    auto group = store_.UpdateGroup(*id, name, call.user_id(), input->status);
    if (!group.ok()) return FromStatus(group.status());
    LogOperation(call, kTypeGroup, *id, kOpUpdate);
    return Ok(GroupToJson(*group, zone_));
  });

  Route(s, "DELETE", R"(/groups/(\d+))", Access::kUser, [this, own_group](Call& call) -> ApiResult {
    auto id = ParseId(call.Match(1), "id");
    if (!id.ok()) return FromStatus(id.status());
    if (auto g = own_group(call, *id); !g.ok()) return FromStatus(g.status());
    if (auto st = store_.DeleteGroup(*id, call.user_id()); !st.ok()) return FromStatus(st);
    LogOperation(call, kTypeGroup, *id, kOpDelete);
    return Ok();
  });
}

}  // namespace asgard::web
