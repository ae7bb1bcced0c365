// File: run_as.h
// Who may make an agent run a task as which account (SPEC 7). A task's `user` is decided by the
// rights of whoever writes it, at every write: an administrator may name any account; a normal
// user only "" (their own identity on the agent, never shared and never root) or an account an
// administrator put on their allow list. The store applies the rule inside the transaction of
// each write, so that a demotion committed meanwhile cannot be raced.
//
//   RunAsRights rights = RightsOf(writer);
//   if (!MayRunAs(rights, input.user)) input.user = "";
//
// The allow list is stored as one comma-separated column (users.run_as).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "store/records.h"

namespace asgard::store {

struct RunAsRights {
  bool any = false;                  // an administrator (or the system itself, user id 0)
  std::vector<std::string> allowed;  // accounts granted by an administrator
};

RunAsRights RightsOf(const User& writer);
// "" is always allowed: it means the owner's own identity.
bool MayRunAs(const RunAsRights& rights, const std::string& user);

// A POSIX account name as useradd accepts it (letters, digits, '_', '-', '.', a trailing '$',
// at most 32 bytes, not starting with '-' or a digit-only name); InvalidArgument naming `field`.
absl::Status CheckAccountName(const std::string& name, const std::string& field);
// The allow list as stored ("deploy,www-data") and back; names are checked, duplicates dropped.
absl::StatusOr<std::vector<std::string>> ParseRunAsList(const std::string& text);
std::string JoinRunAsList(const std::vector<std::string>& names);

}  // namespace asgard::store
