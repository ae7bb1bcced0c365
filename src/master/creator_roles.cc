#include "master/creator_roles.h"

namespace asgard::master {

bool CreatorRoles::AsTaskUser(int64_t creator) {
  if (creator == 0) return false;
  auto it = seen_.find(creator);
  if (it != seen_.end()) return it->second;
  auto user = store_.GetUser(creator);
  bool restricted = !user.ok() || user->role != "Administrator";
  seen_.emplace(creator, restricted);
  return restricted;
}

}  // namespace asgard::master
