#include "store/run_as.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace asgard::store {
namespace {

constexpr size_t kMaxAccountName = 32;
constexpr size_t kMaxAllowList = 32;

bool AccountChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '-' || c == '.';
}

}  // namespace

RunAsRights RightsOf(const User& writer) {
  RunAsRights rights;
  rights.any = writer.admin();
  rights.allowed = writer.run_as;
  return rights;
}

bool MayRunAs(const RunAsRights& rights, const std::string& user) {
  if (user.empty() || rights.any) return true;
  return std::find(rights.allowed.begin(), rights.allowed.end(), user) != rights.allowed.end();
}

absl::Status CheckAccountName(const std::string& name, const std::string& field) {
  auto bad = [&](const std::string& why) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": '", name.substr(0, 40), "' ", why));
  };
  if (name.empty()) return bad("is empty");
  if (name.size() > kMaxAccountName) {
    return bad(absl::StrCat("is longer than ", kMaxAccountName, " characters"));
  }
  if (name[0] == '-') return bad("starts with '-'");
  bool digits_only = true;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c == '$' && i + 1 == name.size() && i > 0) continue;
    if (!AccountChar(c)) return bad("is not an account name (letters, digits, _ - .)");
    if (c < '0' || c > '9') digits_only = false;
  }
  if (digits_only) return bad("is a number, not an account name");
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ParseRunAsList(const std::string& text) {
  std::vector<std::string> names;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    std::string name(absl::StripAsciiWhitespace(part));
    if (auto s = CheckAccountName(name, "run_as"); !s.ok()) return s;
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  if (names.size() > kMaxAllowList) {
    return absl::InvalidArgumentError(
        absl::StrCat("run_as: at most ", kMaxAllowList, " accounts per user"));
  }
  return names;
}

std::string JoinRunAsList(const std::vector<std::string>& names) {
  return absl::StrJoin(names, ",");
}

}  // namespace asgard::store
