// File: user_input.h
// The bodies that create or change users, groups and agents, checked field by field before
// anything is stored: types (a 400 naming the field, never a 500), the limits of
// field_limits.h, and each field's form. Errors are InvalidArgument starting with the field's
// name.
//
//   ASSIGN_OR_RETURN(NewUser created, ParseNewUser(body));
//   store.CreateUser(created.user, created.password);
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "store/records.h"

namespace asgard::web {

// POST /users: nickname and password required; email, mobile, avatar, role (default User) and
// run_as (the accounts the user's tasks may run as, store/run_as.h) optional.
struct NewUser {
  store::User user;
  std::string password;
};
absl::StatusOr<NewUser> ParseNewUser(const nlohmann::json& body);

// PUT /users/:id: the fields given (run_as as a list or "a,b"); `status` 1 (normal), 0
// (unverified) or -1 (forbidden).
struct UserChange {
  store::UserUpdate update;
  std::optional<int> status;
};
absl::StatusOr<UserChange> ParseUserChange(const nlohmann::json& body);

// The `password` of /users/:id/reset_password.
absl::StatusOr<std::string> ParseNewPassword(const nlohmann::json& body);

// POST and PUT /groups, with the original's `status`: 1 in use, 0 not in use (it only marks
// the group); on PUT also -1, which deletes the group as the original's PUT did. `name` is
// required on POST; on PUT an empty or absent one keeps the group's name. A status not given
// is nullopt (POST: in use; PUT: unchanged, where the original reset it to 0).
struct GroupInput {
  std::string name;
  std::optional<int> status;
};
enum class GroupWrite { kCreate, kUpdate };
absl::StatusOr<GroupInput> ParseGroupInput(const nlohmann::json& body, GroupWrite write);
// The `alias` of PUT /agents/:id (required; may be "" to clear it).
absl::StatusOr<std::string> ParseAgentAlias(const nlohmann::json& body);

}  // namespace asgard::web
