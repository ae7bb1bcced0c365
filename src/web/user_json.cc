#include "web/user_json.h"

#include "web/task_json.h"

namespace asgard::web {

nlohmann::json UserToJson(const store::User& u, absl::TimeZone zone, bool full) {
  if (!full) return {{"id", u.id}, {"nickname", u.nickname}};
  return {{"id", u.id},
          {"nickname", u.nickname},
          {"avatar", u.avatar},
          {"email", u.email},
          {"mobile", u.mobile},
          {"role", u.role},
          {"status", u.status},
          {"must_change_password", u.must_change_password},
          {"run_as", u.run_as},  // accounts an administrator allowed their tasks to run as
          {"created_at", TimeText(u.created_at, zone)}};
}

nlohmann::json GroupToJson(const store::Group& g, absl::TimeZone zone) {
  return {{"id", g.id},
          {"name", g.name},
          {"status", g.status},
          {"creator", g.creator},
          {"created_at", TimeText(g.created_at, zone)},
          {"updated_at", TimeText(g.updated_at, zone)}};
}

}  // namespace asgard::web
