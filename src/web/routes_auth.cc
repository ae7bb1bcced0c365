// /auth: login (rate-limited, no user enumeration), info, logout and password change (which
// needs the old password, except in a forced-change session, and revokes every session of the
// user).
#include "absl/strings/str_cat.h"
#include "web/body_fields.h"
#include "web/field_limits.h"
#include "web/password_change.h"
#include "web/user_json.h"
#include "web/web_api.h"

namespace asgard::web {
namespace {

constexpr char kBadLogin[] = "wrong user name or password";

std::string SessionCookie(const std::string& token, int64_t max_age, const std::string& domain) {
  std::string cookie = absl::StrCat(kSessionCookie, "=", token,
                                    "; Path=/; HttpOnly; SameSite=Strict; Max-Age=", max_age);
  if (!domain.empty()) absl::StrAppend(&cookie, "; Domain=", domain);
  return cookie;
}

}  // namespace

void WebApi::InstallAuth(http::Router& s) {
  Route(s, "POST", "/auth/login", Access::kPublic, [this](Call& call) -> ApiResult {
    auto body = Body(call);
    if (!body.ok()) return FromStatus(body.status());
    // Bounded before anything is looked up or counted (field_limits.h).
    auto name = Text(*body, "username", kMaxLoginNameBytes);
    if (!name.ok()) return FromStatus(name.status());
    auto password = Text(*body, "password", kMaxPasswordBytes);
    if (!password.ok()) return FromStatus(password.status());
    if (name->empty() || password->empty()) {
      return BadRequest("username and password are required");
    }
    const std::string client =
        clients_.Of(call.req.peer, call.req.Header("X-Forwarded-For"));
    LoginOutcome login = logins_.Attempt(*name, *password, client);
    switch (login.result) {
      case LoginResult::kOk:
        break;
      case LoginResult::kWrongNameOrPassword:
        return Fail(401, kBadLogin);
      case LoginResult::kSlowedDown:
        call.res.SetHeader("Retry-After", std::to_string(login.retry_after.count()));
        return Fail(429, absl::StrCat("too many failed logins; try again in ",
                                      login.retry_after.count(), " s"));
      case LoginResult::kNotVerified:
        return Fail(403, "this account is not verified yet");
      case LoginResult::kForbidden:
        return Fail(403, "this account is forbidden");
    }
    const store::User& user = *login.user;
    if (login.rehash) {
      // An original MD5 hash (or weaker argon2 limits): replaced by argon2id now.
      (void)store_.SetUserPassword(user.id, *password, user.must_change_password);
      UserChanged(user.id);
    }
    // Logged in with an initial or reset password: this session may change it without the old
    // one (password_change.h).
    auto made = sessions_.Create(user.id, user.must_change_password);
    if (!made.ok()) return FromStatus(made.status());
    auto [token, expires] = *std::move(made);
    int64_t max_age =
        std::chrono::duration_cast<std::chrono::seconds>(expires - std::chrono::system_clock::now())
            .count();
    call.res.SetHeader("Set-Cookie", SessionCookie(token, max_age, config_.web.domain));
    return Ok({{"token", token},
               {"expires_at",
                std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch())
                    .count()},
               {"user", UserToJson(user, zone_, true)}});
  });

  Route(s, "GET", "/auth/info", Access::kUser,
        [this](Call& call) { return Ok(UserToJson(*call.user, zone_, true)); });

  Route(s, "POST", "/auth/logout", Access::kUser, [this](Call& call) -> ApiResult {
    absl::Status revoked = sessions_.Revoke(call.token);
    UserChanged(call.user_id());
    // The session must be gone from the store, or another node would still accept it.
    if (!revoked.ok()) return FromStatus(revoked);
    call.res.SetHeader("Set-Cookie", SessionCookie("", 0, config_.web.domain));
    return Ok();
  });

  Route(s, "POST", "/auth/change_password", Access::kUser, [this](Call& call) -> ApiResult {
    auto body = Body(call);
    if (!body.ok()) return FromStatus(body.status());
    auto old_password = OptionalText(*body, "old_password", kMaxPasswordBytes);
    if (!old_password.ok()) return FromStatus(old_password.status());
    auto password = Text(*body, "password", kMaxPasswordBytes);
    if (!password.ok()) return FromStatus(password.status());
    PasswordChange change{*old_password, *password};
    if (change.old_password && change.old_password->empty()) change.old_password.reset();
    if (auto s = CheckPasswordChange(change, call.session, *call.user); !s.ok()) {
      return FromStatus(s);
    }
    absl::Status stored = store_.SetUserPassword(call.user_id(), change.password, false);
    UserChanged(call.user_id());
    if (!stored.ok()) return FromStatus(stored);
    // Every session of the user ends; this browser gets a fresh one.
    if (absl::Status revoked = sessions_.RevokeUser(call.user_id()); !revoked.ok()) {
      return FromStatus(revoked);
    }
    auto made = sessions_.Create(call.user_id());
    if (!made.ok()) return FromStatus(made.status());
    auto [token, expires] = *std::move(made);
    int64_t max_age =
        std::chrono::duration_cast<std::chrono::seconds>(expires - std::chrono::system_clock::now())
            .count();
    call.res.SetHeader("Set-Cookie", SessionCookie(token, max_age, config_.web.domain));
    return Ok({{"token", token}});
  });
}

}  // namespace asgard::web
