// /users: administrators manage accounts; normal users see id and nickname only.
#include <optional>

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

constexpr int kTypeUser = 6;

}  // namespace

void WebApi::InstallUsers(http::Router& s) {
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
    for (const auto& [field, text] : {std::pair{"nickname", &nickname}, {"email", &email},
                                      {"phone", &mobile}}) {
      if (auto st = CheckText(field, *text, kMaxFilterBytes); !st.ok()) return FromStatus(st);
    }
    if ((!email.empty() || !mobile.empty()) && !call.admin()) {
      // Others' addresses are not shown to normal users, so they may not search by them.
      return Forbidden("email, phone: only administrators filter users by them");
    }
    // 1 normal, 0 unverified, -1 forbidden; -99 any (list_filters.h).
    auto status = ParseStatusFilter(call.Param("status"), -1, 1);
    if (!status.ok()) return FromStatus(status.status());
    Json list = Json::array();
    int64_t total = 0;
    for (const auto& u : *users) {
      if (!nickname.empty() && !absl::StrContains(u.nickname, nickname)) continue;
      if (!email.empty() && !absl::StrContains(u.email, email)) continue;
      if (!mobile.empty() && !absl::StrContains(u.mobile, mobile)) continue;
      if (*status && u.status != **status) continue;
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
    auto input = ParseNewUser(*body);
    if (!input.ok()) return FromStatus(input.status());
    store::User& u = input->user;
    u.status = 1;
    u.must_change_password = true;  // the administrator chose it; the user picks their own
    auto created = store_.CreateUser(u, input->password);
    if (!created.ok()) return FromStatus(created.status());
    LogOperation(call, kTypeUser, created->id, kOpCreate);
    return Ok(UserToJson(*created, zone_, true));
  });

  Route(s, "PUT", R"(/users/(\d+))", Access::kAdmin, [this](Call& call) -> ApiResult {
    auto id = ParseId(call.Match(1), "id");
    if (!id.ok()) return FromStatus(id.status());
    auto body = Body(call);
    if (!body.ok()) return FromStatus(body.status());
    auto change = ParseUserChange(*body);
    if (!change.ok()) return FromStatus(change.status());
    if (change->status) {
      const int status = *change->status;
      if (*id == call.user_id() && status != 1) return Fail(409, "you cannot disable yourself");
      absl::Status s2 = store_.SetUserStatus(*id, status);
      UserChanged(*id);
      if (!s2.ok()) return FromStatus(s2);
      if (status != 1) {
        if (absl::Status revoked = sessions_.RevokeUser(*id); !revoked.ok()) {
          return FromStatus(revoked);
        }
      }
    }
    if (change->update.role && *change->update.role != "Administrator" &&
        *id == call.user_id()) {
      return Fail(409, "you cannot demote yourself");
    }
    std::vector<store::TaskRef> rechecked;
    auto updated = store_.UpdateUser(*id, change->update, &rechecked);
    UserChanged(*id);
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
    UserChanged(*id);
    if (!st.ok()) return FromStatus(st);
    if (absl::Status revoked = sessions_.RevokeUser(*id); !revoked.ok()) {
      return FromStatus(revoked);
    }
    LogOperation(call, kTypeUser, *id, kOpDelete);
    return Ok();
  });

  Route(s, "POST", R"(/users/(\d+)/reset_password)", Access::kAdmin,
        [this](Call& call) -> ApiResult {
          auto id = ParseId(call.Match(1), "id");
          if (!id.ok()) return FromStatus(id.status());
          auto body = Body(call);
          if (!body.ok()) return FromStatus(body.status());
          auto password = ParseNewPassword(*body);
          if (!password.ok()) return FromStatus(password.status());
          if (!store_.GetUser(*id).ok()) return NotFound(absl::StrCat("no such user ", *id));
          absl::Status st = store_.SetUserPassword(*id, *password, true);
          UserChanged(*id);
          if (!st.ok()) return FromStatus(st);
          if (absl::Status revoked = sessions_.RevokeUser(*id); !revoked.ok()) {
            return FromStatus(revoked);
          }
          LogOperation(call, kTypeUser, *id, kOpUpdate);
          return Ok();
        });
}

}  // namespace asgard::web
