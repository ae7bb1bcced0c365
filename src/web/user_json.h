// File: user_json.h
// Users, agents and groups as the API shows them (snake_case). Other users' details are
// reduced to id and nickname for normal users (SPEC 7).
#pragma once

#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "store/records.h"

namespace asgard::web {

nlohmann::json UserToJson(const store::User& user, absl::TimeZone zone, bool full);
nlohmann::json GroupToJson(const store::Group& group, absl::TimeZone zone);

}  // namespace asgard::web
