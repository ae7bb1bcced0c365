// File: fs_identity.h
// A user's file-system identity (uid, gid, supplementary groups), and a scope in which the
// calling thread wears it: the kernel then checks every open, create, rename and mkdir of that
// thread against the user's rights instead of the daemon's. A root agent opens, rotates and reads
// the output files of a task whose user may not choose paths as root (a non-admin's task) this
// way, so that std_out "/etc/shadow" is refused rather than appended to or shown.
//
//   ASSIGN_OR_RETURN(FsIdentity nobody, LookUpFsIdentity("nobody"));
//   {
//     FsIdentityScope as_nobody(&nobody);
//     RETURN_IF_ERROR(as_nobody.status());
//     int fd = open(path, O_WRONLY | O_APPEND);  // EACCES where nobody may not write
//   }
//
// Only the calling thread changes (raw setfsuid/setfsgid/setgroups system calls: glibc's
// setgroups would change every thread), and only while the daemon runs as root; the scope is
// meant for a few system calls, not for callbacks or blocking work.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace asgard::process {

struct FsIdentity {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, the primary one included
};

// The supplementary groups of the user `name` whose primary group is `primary` (included).
std::vector<gid_t> GroupsOf(const std::string& name, gid_t primary);

// The identity of the user `name` (passwd and group databases). NotFound for an unknown user.
absl::StatusOr<FsIdentity> LookUpFsIdentity(const std::string& name);

class FsIdentityScope {
 public:
  // `identity` null: nothing changes (the daemon's own rights).
  explicit FsIdentityScope(const FsIdentity* identity);
  ~FsIdentityScope();
  FsIdentityScope(const FsIdentityScope&) = delete;
  // PermissionDenied when the identity could not be taken (the thread then must not touch the
  // files: it may hold some of root's rights still).
  absl::Status status() const;
  FsIdentityScope& operator=(const FsIdentityScope&) = delete;

 private:
  bool active_ = false;
  bool failed_ = false;
  uid_t old_uid_ = 0;
  gid_t old_gid_ = 0;
  std::vector<gid_t> old_groups_;
};

}  // namespace asgard::process
