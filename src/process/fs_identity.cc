#include "process/fs_identity.h"

#include <grp.h>
#include <pwd.h>
#include <sys/syscall.h>
#include <unistd.h>


namespace asgard::process {
namespace {

// setfsuid/setfsgid return the previous value whatever happens, so a failure shows only in a
// second call: -1 (invalid) changes nothing and returns the current one.
uid_t CurrentFsUid() { return static_cast<uid_t>(syscall(SYS_setfsuid, -1)); }
gid_t CurrentFsGid() { return static_cast<gid_t>(syscall(SYS_setfsgid, -1)); }

}  // namespace

std::vector<gid_t> GroupsOf(const std::string& name, gid_t primary) {
  int count = 64;
  std::vector<gid_t> groups(count);
  if (getgrouplist(name.c_str(), primary, groups.data(), &count) < 0) {
    groups.resize(count);  // count now says how many there are
    getgrouplist(name.c_str(), primary, groups.data(), &count);
  }
  groups.resize(count);
  return groups;
}

absl::StatusOr<FsIdentity> LookUpFsIdentity(const std::string& name) {
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
    return absl::NotFoundError("user '" + name + "' does not exist");
  }
  return FsIdentity{pw.pw_uid, pw.pw_gid, GroupsOf(name, pw.pw_gid)};
}

FsIdentityScope::FsIdentityScope(const FsIdentity* identity) {
  if (identity == nullptr || geteuid() != 0) return;
  old_uid_ = CurrentFsUid();
  old_gid_ = CurrentFsGid();
  int n = getgroups(0, nullptr);
  old_groups_.resize(n > 0 ? n : 0);
  if (n > 0) getgroups(n, old_groups_.data());
  // Groups and gid first: changing them needs CAP_SETGID, which stays, while the file
  // capabilities (CAP_DAC_OVERRIDE...) go with a non-zero fsuid.
  active_ = true;
  if (syscall(SYS_setgroups, identity->groups.size(), identity->groups.data()) != 0) {
    failed_ = true;
    return;
  }
  syscall(SYS_setfsgid, identity->gid);
  syscall(SYS_setfsuid, identity->uid);
  failed_ = CurrentFsUid() != identity->uid || CurrentFsGid() != identity->gid;
}

absl::Status FsIdentityScope::status() const {
  if (!failed_) return absl::OkStatus();
  return absl::PermissionDeniedError(
      "cannot take the task user's identity for its files; nothing was opened");
}

FsIdentityScope::~FsIdentityScope() {
  if (!active_) return;
  syscall(SYS_setfsuid, old_uid_);
  syscall(SYS_setfsgid, old_gid_);
  syscall(SYS_setgroups, old_groups_.size(), old_groups_.data());
}

}  // namespace asgard::process
