#include "web/user_input.h"

#include "absl/strings/str_join.h"
#include "store/run_as.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "web/body_fields.h"
#include "web/field_limits.h"
#include "web/password_change.h"

namespace asgard::web {
namespace {

absl::Status CheckRole(const std::string& role) {
  if (role == "Administrator" || role == "User") return absl::OkStatus();
  return FieldError("role", absl::StrCat("'", role, "' is not Administrator or User"));
}

absl::Status CheckEmail(const std::string& email) {
  if (email.empty()) return absl::OkStatus();
  auto at = email.find('@');
  if (at == std::string::npos || at == 0 || email.find('.', at) == std::string::npos) {
    return FieldError("email", absl::StrCat("'", email, "' is not an address"));
  }
  return absl::OkStatus();
}

absl::Status CheckMobile(const std::string& mobile) {
  for (char c : mobile) {
    if ((c < '0' || c > '9') && c != '+' && c != '-') {
      return FieldError("mobile", absl::StrCat("'", mobile, "' is not a number"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPassword(const std::string& password) {
  if (password.size() < kMinPasswordLength) {
    return FieldError("password", absl::StrCat("at least ", kMinPasswordLength, " characters"));
  }
  return absl::OkStatus();
}

// The member `field` into `out` when present, checked by `check` (may be null).
absl::Status ReadOptional(const nlohmann::json& body, const char* field, size_t max_bytes,
                          absl::Status (*check)(const std::string&),
                          std::optional<std::string>* out) {
  ASSIGN_OR_RETURN(*out, OptionalText(body, field, max_bytes));
  if (*out && check != nullptr) return check(**out);
  return absl::OkStatus();
}

}  // namespace

namespace {

// `run_as`: ["deploy", "www-data"] or "deploy,www-data" (a form field); absent = unchanged.
absl::StatusOr<std::optional<std::vector<std::string>>> RunAsListOf(const nlohmann::json& body) {
  auto it = body.find("run_as");
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return store::ParseRunAsList(it->get<std::string>());
  if (!it->is_array()) return FieldError("run_as", "must be a list of account names");
  std::vector<std::string> names;
  for (const nlohmann::json& item : *it) {
    if (!item.is_string()) return FieldError("run_as", "every entry must be a string");
    names.push_back(item.get<std::string>());
  }
  return store::ParseRunAsList(absl::StrJoin(names, ","));
}

}  // namespace

absl::StatusOr<NewUser> ParseNewUser(const nlohmann::json& body) {
  ASSIGN_OR_RETURN(UserChange fields, ParseUserChange(body));  // a `status` is not taken
  NewUser out;
  out.user.nickname = fields.update.nickname.value_or("");
  if (out.user.nickname.empty()) return FieldError("nickname", "is required");
  out.user.email = fields.update.email.value_or("");
  out.user.mobile = fields.update.mobile.value_or("");
  out.user.avatar = fields.update.avatar.value_or("");
  out.user.role = fields.update.role.value_or("User");
  out.user.run_as = fields.update.run_as.value_or(std::vector<std::string>{});
  ASSIGN_OR_RETURN(out.password, ParseNewPassword(body));
  return out;
}

absl::StatusOr<UserChange> ParseUserChange(const nlohmann::json& body) {
  UserChange out;
  store::UserUpdate& u = out.update;
  RETURN_IF_ERROR(ReadOptional(body, "nickname", kMaxNicknameBytes, nullptr, &u.nickname));
  if (u.nickname && u.nickname->empty()) return FieldError("nickname", "is empty");
  RETURN_IF_ERROR(ReadOptional(body, "email", kMaxEmailBytes, &CheckEmail, &u.email));
  RETURN_IF_ERROR(ReadOptional(body, "mobile", kMaxMobileBytes, &CheckMobile, &u.mobile));
  RETURN_IF_ERROR(ReadOptional(body, "avatar", kMaxAvatarBytes, nullptr, &u.avatar));
  RETURN_IF_ERROR(ReadOptional(body, "role", kMaxRoleBytes, &CheckRole, &u.role));
  ASSIGN_OR_RETURN(u.run_as, RunAsListOf(body));
  ASSIGN_OR_RETURN(std::optional<int64_t> status, OptionalInt(body, "status", -1, 1));
  if (status) out.status = static_cast<int>(*status);
  return out;
}

absl::StatusOr<std::string> ParseNewPassword(const nlohmann::json& body) {
  ASSIGN_OR_RETURN(std::string password, Text(body, "password", kMaxPasswordBytes));
  RETURN_IF_ERROR(CheckPassword(password));
  return password;
}

absl::StatusOr<GroupInput> ParseGroupInput(const nlohmann::json& body, GroupWrite write) {
  GroupInput in;
  ASSIGN_OR_RETURN(in.name, Text(body, "name", kMaxGroupNameBytes));
  if (in.name.empty() && write == GroupWrite::kCreate) return FieldError("name", "is required");
  const int64_t lowest = write == GroupWrite::kUpdate ? -1 : 0;
  ASSIGN_OR_RETURN(std::optional<int64_t> status, OptionalInt(body, "status", lowest, 1));
  if (status) in.status = static_cast<int>(*status);
  return in;
}

absl::StatusOr<std::string> ParseAgentAlias(const nlohmann::json& body) {
  ASSIGN_OR_RETURN(std::optional<std::string> alias,
                   OptionalText(body, "alias", kMaxAgentAliasBytes));
  if (!alias) return FieldError("alias", "is required");
  return *alias;
}

}  // namespace asgard::web
