// File: creator_roles.h
// Whose tasks run as the agent's task_user (SPEC 2): those created by a user who is not an
// administrator. A creator of 0 is a row written by an operator straight into the database and
// is trusted like an administrator's; a creator that no longer exists is not.
//
//   CreatorRoles roles(store);   // one per assignment or request: roles can change
//   def = ToDefinition(task, roles.AsTaskUser(task.creator));
#pragma once

#include <cstdint>
#include <map>

#include "store/store.h"

namespace asgard::master {

class CreatorRoles {
 public:
  explicit CreatorRoles(store::Store& store) : store_(store) {}
  bool AsTaskUser(int64_t creator);

 private:
  store::Store& store_;
  std::map<int64_t, bool> seen_;
};

}  // namespace asgard::master
