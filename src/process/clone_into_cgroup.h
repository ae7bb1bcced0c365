// File: clone_into_cgroup.h
// clone3(CLONE_VM | CLONE_VFORK | CLONE_INTO_CGROUP): the child starts inside a cgroup instead
// of moving there after the fork. Moving a process between cgroups (a write to cgroup.procs)
// takes the cgroup threadgroup lock for writing, which waits for an RCU grace period when no
// migration happened recently: 10-20 ms per spawn on some machines, against about 1 ms here.
//
// glibc exports no clone3() wrapper, and a vfork-style child cannot return through one, so the
// child is started on its own stack by a few lines of assembly that call `fn(arg)` and exit
// with its result. x86-64 only; elsewhere the call answers ENOSYS and callers use clone() plus
// the cgroup.procs write.
#pragma once

#include <cstddef>

namespace asgard::process {

// Starts `fn(arg)` in a child that shares our memory, on `stack` (16-byte aligned, `stack_size`
// a multiple of 16), inside the cgroup whose directory `cgroup_fd` is open; the caller is
// suspended until the child execs or exits (CLONE_VFORK), and gets SIGCHLD when it ends.
// Returns the child's pid, or -errno: ENOSYS (no clone3, or a seccomp filter refusing it),
// E2BIG or EINVAL (a kernel before 5.7), or the cgroup's own refusal (EBUSY, EOPNOTSUPP, ...).
long CloneVforkIntoCgroup(int (*fn)(void*), void* arg, void* stack, size_t stack_size,
                          int cgroup_fd);

// Whether `error` (from CloneVforkIntoCgroup) means this kernel cannot do it at all, so that
// trying again for the next run is pointless.
bool KernelLacksCloneIntoCgroup(int error);

}  // namespace asgard::process
