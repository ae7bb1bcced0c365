#include "agent/task_identity.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "common/errno_status.h"
#include "common/logging.h"

namespace asgard::agent {
namespace {

bool InRange(uint32_t id, const config::AgentConfig::UidRange& r) {
  return id >= r.first && id <= r.last;
}

absl::Status MakeOwnedDir(const std::string& path, uid_t uid, mode_t mode) {
  if (mkdir(path.c_str(), mode) != 0 && errno != EEXIST) return ErrnoStatus("mkdir " + path);
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return ErrnoStatus("stat " + path);
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(path, " is not a directory"));
  }
  if (st.st_uid == uid) return absl::OkStatus();
  if (st.st_uid != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " belongs to uid ", st.st_uid, ", not ", uid));
  }
  // Just made by us (root): hand it over.
  if (lchown(path.c_str(), uid, static_cast<gid_t>(uid)) != 0 || chmod(path.c_str(), mode) != 0) {
    return ErrnoStatus("chown " + path);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<TaskIdentities> TaskIdentitiesFromConfig(const config::AgentConfig& agent,
                                                        bool agent_is_root) {
  TaskIdentities ids;
  ids.agent_is_root = agent_is_root;
  ids.shared_user = agent.task_user.value_or(agent_is_root ? "nobody" : "");
  ids.home_root = agent.task_home;
  ids.max_processes = agent.task_nproc;
  if (!ids.shared_user.empty() && getpwnam(ids.shared_user.c_str()) == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "agent.task_user: user '", ids.shared_user,
        "' does not exist (tasks of non-admin users run as it when agent.task_uid_range is off",
        agent.task_user ? "" : "; the default for an agent running as root is nobody", ")"));
  }
  if (agent_is_root && agent.task_uid_range) {
    if (absl::Status s = CheckUidRangeIsFree(*agent.task_uid_range); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("agent.task_uid_range: ", s.message()));
    }
    ids.uid_range = agent.task_uid_range;
  }
  return ids;
}

absl::StatusOr<TaskIdentity> IdentityOf(const v1::TaskDefinition& def, const TaskIdentities& ids) {
  TaskIdentity who;
  if (!def.user().empty()) {
    who.user = def.user();
    who.files_as_user = def.as_task_user();
    return who;
  }
  if (!def.as_task_user()) return who;  // an administrator's task: the agent's own user
  who.files_as_user = true;
  if (ids.uid_range && ids.agent_is_root && def.owner_id() > 0) {
    const uint64_t uid = uint64_t{ids.uid_range->first} + static_cast<uint64_t>(def.owner_id());
    if (uid > ids.uid_range->last) {
      return absl::InvalidArgumentError(absl::StrCat(
          "user id ", def.owner_id(), " does not fit in agent.task_uid_range ",
          ids.uid_range->first, "-", ids.uid_range->last, ": widen the range"));
    }
    who.isolated = process::IsolatedUser{static_cast<uid_t>(uid),
                                         absl::StrCat(ids.home_root, "/", uid),
                                         static_cast<uint64_t>(ids.max_processes)};
    return who;
  }
  who.user = ids.shared_user;
  if (who.user.empty()) who.files_as_user = false;  // the agent's own user, not root
  return who;
}

absl::StatusOr<std::optional<process::FsIdentity>> ReaderOf(const TaskIdentity& who) {
  if (who.isolated) {
    gid_t gid = static_cast<gid_t>(who.isolated->uid);
    return process::FsIdentity{who.isolated->uid, gid, {gid}};
  }
  if (!who.files_as_user || who.user.empty()) return std::nullopt;
  auto id = process::LookUpFsIdentity(who.user);
  if (!id.ok()) return id.status();
  return *id;
}

absl::Status PrepareHome(const process::IsolatedUser& user) {
  const std::string root = user.home.substr(0, user.home.rfind('/'));
  if (auto s = MakeDirs(root, 0711); !s.ok()) return s;
  if (auto s = MakeOwnedDir(user.home, user.uid, 0700); !s.ok()) return s;
  gid_t gid = static_cast<gid_t>(user.uid);
  process::FsIdentity as_user{user.uid, gid, {gid}};
  process::FsIdentityScope scope(&as_user);
  if (auto s = scope.status(); !s.ok()) return s;
  const std::string logs = user.home + "/logs";
  if (mkdir(logs.c_str(), 0700) != 0 && errno != EEXIST) return ErrnoStatus("mkdir " + logs);
  return absl::OkStatus();
}

absl::Status CheckUidRangeIsFree(const config::AgentConfig::UidRange& range) {
  for (uint32_t probe : {range.first, range.last}) {
    if (passwd* pw = getpwuid(probe)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "uid ", probe, " belongs to the account '", pw->pw_name, "': choose a free range"));
    }
  }
  setpwent();
  while (passwd* pw = getpwent()) {
    if (InRange(pw->pw_uid, range)) {
      std::string name = pw->pw_name;
      uid_t uid = pw->pw_uid;
      endpwent();
      return absl::FailedPreconditionError(absl::StrCat(
          "uid ", uid, " belongs to the account '", name, "': choose a free range"));
    }
  }
  endpwent();
  setgrent();
  while (group* gr = getgrent()) {
    if (InRange(gr->gr_gid, range)) {
      std::string name = gr->gr_name;
      gid_t gid = gr->gr_gid;
      endgrent();
      return absl::FailedPreconditionError(absl::StrCat(
          "gid ", gid, " belongs to the group '", name, "': choose a free range"));
    }
  }
  endgrent();
  return absl::OkStatus();
}

}  // namespace asgard::agent
