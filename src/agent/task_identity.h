// File: task_identity.h
// Who runs a task on this agent (SPEC 7), decided in one place for the spawn and for reading
// the task's output files:
//   - a task that names a user runs as that account (an administrator chose it, or granted it
//     to the task's owner);
//   - an administrator's task (as_task_user false) runs as the agent's own user;
//   - a normal user's task runs as that user's own uid on a root agent: first + owner_id of
//     agent.task_uid_range, gid the same, HOME <task_home>/<uid> (0700), umask 077 and
//     RLIMIT_NPROC task_nproc, so that no user reads another's output or signals another's
//     processes; with the range off it runs as agent.task_user, shared (the old rule).
//
//   ASSIGN_OR_RETURN(TaskIdentities ids, TaskIdentitiesFromConfig(cfg.agent));
//   ASSIGN_OR_RETURN(TaskIdentity who, IdentityOf(definition, ids));
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "asgard/v1/task.pb.h"
#include "config/config.h"
#include "process/fs_identity.h"
#include "process/process_spec.h"

namespace asgard::agent {

struct TaskIdentities {
  bool agent_is_root = false;
  // Normal users' tasks when there is no uid range ("" = the agent's own user: only for an
  // agent that is not root).
  std::string shared_user;
  std::optional<config::AgentConfig::UidRange> uid_range;
  std::string home_root = "/var/lib/asgard/home";
  int max_processes = 1024;
};

struct TaskIdentity {
  std::string user;                               // a named account, or ""
  std::optional<process::IsolatedUser> isolated;  // or the owner's own uid
  bool files_as_user = false;  // output files opened with that identity, not the agent's
};

// agent.task_user / task_uid_range / task_home / task_nproc as the agent applies them.
// InvalidArgument naming the key when task_user does not exist, or when a uid of the range
// already belongs to an account or a group (NSS), which would then share its files.
absl::StatusOr<TaskIdentities> TaskIdentitiesFromConfig(const config::AgentConfig& agent,
                                                        bool agent_is_root);

// InvalidArgument when the owner's id does not fit in the range (the task cannot run).
absl::StatusOr<TaskIdentity> IdentityOf(const v1::TaskDefinition& def, const TaskIdentities& ids);

// The identity a task's output files are read with (null: the agent's own).
absl::StatusOr<std::optional<process::FsIdentity>> ReaderOf(const TaskIdentity& identity);

// Makes <home_root>/<uid> (0700, owned by the uid) and its `logs` directory, the latter with the
// uid's own rights. An existing home must be a directory owned by the uid (not a symlink).
absl::Status PrepareHome(const process::IsolatedUser& user);

// FailedPrecondition naming the first uid or gid of `range` that resolves through NSS.
absl::Status CheckUidRangeIsFree(const config::AgentConfig::UidRange& range);

}  // namespace asgard::agent
