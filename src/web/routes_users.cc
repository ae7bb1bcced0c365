// /users: administrators manage accounts; normal users see id and nickname only.
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "store/run_as.h"
#include "web/user_json.h"
#include "web/web_api.h"

namespace asgard::web {
namespace {

constexpr int kTypeUser = 6;

absl::Status CheckRole(const std::string& role) {
  if (role == "Administrator" || role == "User") return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("role: '", role, "' is not Administrator or User"));
}

absl::Status CheckEmail(const std::string& email) {
  if (email.empty()) return absl::OkStatus();
  auto at = email.find('@');
  if (at == std::string::npos || at == 0 || email.find('.', at) == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("email: '", email, "' is not an address"));
  }
  return absl::OkStatus();
}

absl::Status CheckMobile(const std::string& mobile) {
  if (mobile.empty()) return absl::OkStatus();
  for (char c : mobile) {
    if ((c < '0' || c > '9') && c != '+' && c != '-') {
      return absl::InvalidArgumentError(absl::StrCat("mobile: '", mobile, "' is not a number"));
    }
  }
  return absl::OkStatus();
}

// ["deploy", "www-data"] or "deploy,www-data" (a form field).
absl::StatusOr<std::vector<std::string>> RunAsListOf(const Json& value) {
  if (value.is_string()) return store::ParseRunAsList(value.get<std::string>());
  if (!value.is_array()) {
    return absl::InvalidArgumentError("run_as: must be a list of account names");
  }
  std::vector<std::string> names;
  for (const Json& item : value) {
    if (!item.is_string()) return absl::InvalidArgumentError("run_as: every entry must be a string");
    names.push_back(item.get<std::string>());
  }
  return store::ParseRunAsList(absl::StrJoin(names, ","));
}

}  // namespace

void WebApi::InstallUsers(httplib::Server& s) {
  Route(s, "GET", "/users", Access::kUser, [this](Call& call) -> ApiResult {
    auto paging = Paging(call);
    if (!paging.ok()) return FromStatus(paging.status());
    auto [page, size] = *paging;
    auto users = store_.ListUsers();
    if (!users.ok()) return FromStatus(users.status());
    std::string nickname = call.Param("nickname");
    std::string email = call.Param("email");
    // The original's filter is `phone` (it queried a column that does not exist); `mobile` too.
    std::string mobile = call.Param("phone").empty() ? call.Param("mobile") : call.Param("phone");
    if ((!email.empty() || !mobile.empty()) && !call.admin()) {
      // Others' addresses are not shown to normal users, so they may not search by them.
      return Forbidden("email, phone: only administrators filter users by them");
    }
    std::optional<int> status;
    if (std::string v = call.Param("status"); !v.empty()) {
      if (v != "1" && v != "0" && v != "-1") {
        return FromStatus(absl::InvalidArgumentError(
            absl::StrCat("status: '", v, "' is not 1 (normal), 0 (unverified) or -1 (forbidden)")));
      }
      status = std::stoi(v);
    }
    Json list = Json::array();
    int64_t total = 0;
    for (const auto& u : *users) {
      if (!nickname.empty() && !absl::StrContains(u.nickname, nickname)) continue;
      if (!email.empty() && !absl::StrContains(u.email, email)) continue;
      if (!mobile.empty() && !absl::StrContains(u.mobile, mobile)) continue;
      if (status && u.status != *status) continue;
      if (total >= static_cast<int64_t>(page - 1) * size && list.size() < static_cast<size_t>(size)) {
        list.push_back(UserToJson(u, zone_, call.admin() || u.id == call.user_id()));
      }
      ++total;
    }
    return Ok(PageJson(std::move(list), total, page, size));
  });

  Route(s, "GET", R"(/users/(\d+))", Access::kUser, [this](Call& call) -> ApiResult {
    auto id = ParseId(call.Match(1), "id");
    if (!id.ok()) return FromStatus(id.status());
    auto user = store_.GetUser(*id);
    if (!user.ok()) return NotFound(absl::StrCat("no such user ", *id));
    return Ok(UserToJson(*user, zone_, call.admin() || *id == call.user_id()));
  });

  Route(s, "POST", "/users", Access::kAdmin, [this](Call& call) -> ApiResult {
    auto body = Body(call);
    if (!body.ok()) return FromStatus(body.status());
    store::User u;
    u.nickname = body->value("nickname", "");
    u.email = body->value("email", "");
    u.mobile = body->value("mobile", "");
    u.role = body->value("role", "User");
    std::string password = body->value("password", "");
    if (u.nickname.empty()) return BadRequest("nickname: is required");
    if (password.size() < 6) return BadRequest("password: at least 6 characters");
    for (const auto& s : {CheckRole(u.role), CheckEmail(u.email), CheckMobile(u.mobile)}) {
      if (!s.ok()) return FromStatus(s);
    }
    if (auto it = body->find("run_as"); it != body->end() && !it->is_null()) {
      auto names = RunAsListOf(*it);
      if (!names.ok()) return FromStatus(names.status());
      u.run_as = std::move(*names);
    }
    u.status = 1;
    u.must_change_password = true;  // the administrator chose it; the user picks their own
    auto created = store_.CreateUser(u, password);
    if (!created.ok()) return FromStatus(created.status());
    LogOperation(call, kTypeUser, created->id, kOpCreate);
    return Ok(UserToJson(*created, zone_, true));
  });

  Route(s, "PUT", R"(/users/(\d+))", Access::kAdmin, [this](Call& call) -> ApiResult {
    auto id = ParseId(call.Match(1), "id");
    if (!id.ok()) return FromStatus(id.status());
    auto body = Body(call);
    if (!body.ok()) return FromStatus(body.status());
    store::UserUpdate update;
    for (const char* key : {"nickname", "email", "mobile", "avatar", "role"}) {
      auto it = body->find(key);
      if (it == body->end() || it->is_null()) continue;
      if (!it->is_string()) return BadRequest(absl::StrCat(key, ": must be a string"));
      std::string v = it->get<std::string>();
      if (std::string(key) == "nickname") update.nickname = v;
      if (std::string(key) == "email") update.email = v;
      if (std::string(key) == "mobile") update.mobile = v;
      if (std::string(key) == "avatar") update.avatar = v;
      if (std::string(key) == "role") update.role = v;
    }
    if (update.nickname && update.nickname->empty()) return BadRequest("nickname: is empty");
    if (update.role) {
      if (auto st = CheckRole(*update.role); !st.ok()) return FromStatus(st);
    }
    if (update.email) {
      if (auto st = CheckEmail(*update.email); !st.ok()) return FromStatus(st);
    }
    if (update.mobile) {
      if (auto st = CheckMobile(*update.mobile); !st.ok()) return FromStatus(st);
    }
    if (auto it = body->find("run_as"); it != body->end() && !it->is_null()) {
      auto names = RunAsListOf(*it);
      if (!names.ok()) return FromStatus(names.status());
      update.run_as = std::move(*names);
    }
    if (auto st = body->find("status"); st != body->end() && !st->is_null()) {
      if (!st->is_number_integer()) return BadRequest("status: must be 1, 0 or -1");
      int status = st->get<int>();
      if (status != 1 && status != 0 && status != -1) {
        return BadRequest("status: must be 1 (normal), 0 (unverified) or -1 (forbidden)");
      }
      if (*id == call.user_id() && status != 1) return Fail(409, "you cannot disable yourself");
      absl::Status s2 = store_.SetUserStatus(*id, status);
      session_users_.Invalidate(*id);
      if (!s2.ok()) return FromStatus(s2);
      if (status != 1) sessions_.RevokeUser(*id);
    }
    if (update.role && *update.role != "Administrator" && *id == call.user_id()) {
      return Fail(409, "you cannot demote yourself");
    }
    std::vector<store::TaskRef> rechecked;
    auto updated = store_.UpdateUser(*id, update, &rechecked);
    session_users_.Invalidate(*id);
    if (!updated.ok()) return FromStatus(updated.status());
    LogOperation(call, kTypeUser, *id, kOpUpdate);
    // Their tasks run under the new identity at once (an app restarts with it).
    int not_pushed = PushRechecked(rechecked);
    ApiResult r = Ok(UserToJson(*updated, zone_, true));
    if (!rechecked.empty()) {
      r.message = absl::StrCat(rechecked.size(), " of their tasks changed identity",
                               not_pushed == 0
                                   ? ""
                                   : absl::StrCat("; ", not_pushed,
                                                  " reach their agent at its next heartbeat"));
    }
    return r;
  });

  Route(s, "POST", R"(/users/(\d+)/forbidden)", Access::kAdmin, [this](Call& call) -> ApiResult {
    auto id = ParseId(call.Match(1), "id");
    if (!id.ok()) return FromStatus(id.status());
    if (*id == call.user_id()) return Fail(409, "you cannot forbid yourself");
    absl::Status st = store_.SetUserStatus(*id, -1);
    session_users_.Invalidate(*id);
    if (!st.ok()) return FromStatus(st);
    sessions_.RevokeUser(*id);
    LogOperation(call, kTypeUser, *id, kOpDelete);
    return Ok();
  });

  Route(s, "POST", R"(/users/(\d+)/reset_password)", Access::kAdmin,
        [this](Call& call) -> ApiResult {
          auto id = ParseId(call.Match(1), "id");
          if (!id.ok()) return FromStatus(id.status());
          auto body = Body(call);
          if (!body.ok()) return FromStatus(body.status());
          std::string password = body->value("password", "");
          if (password.size() < 6) return BadRequest("password: at least 6 characters");
          if (!store_.GetUser(*id).ok()) return NotFound(absl::StrCat("no such user ", *id));
          absl::Status st = store_.SetUserPassword(*id, password, true);
          session_users_.Invalidate(*id);
          if (!st.ok()) return FromStatus(st);
          sessions_.RevokeUser(*id);
          LogOperation(call, kTypeUser, *id, kOpUpdate);
          return Ok();
        });
}

}  // namespace asgard::web
