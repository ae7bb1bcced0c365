#include "process/clone_into_cgroup.h"

#include <linux/sched.h>
#include <signal.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstdint>

namespace asgard::process {

long CloneVforkIntoCgroup(int (*fn)(void*), void* arg, void* stack, size_t stack_size,
                          int cgroup_fd) {
#if defined(__x86_64__) && defined(SYS_clone3)
  clone_args args{};
  args.flags = CLONE_VM | CLONE_VFORK | CLONE_INTO_CGROUP;
  args.exit_signal = SIGCHLD;
  args.stack = reinterpret_cast<uintptr_t>(stack);
  args.stack_size = stack_size;  // the kernel starts the child at stack + stack_size
  args.cgroup = static_cast<uint64_t>(cgroup_fd);
  // The child inherits every register but rax (0) and rsp (the new stack): fn and arg travel
  // in callee-saved registers. It never comes back to compiled code; the parent resumes after
  // the syscall with its own stack untouched.
  register long child_fn asm("r12") = reinterpret_cast<long>(fn);
  register long child_arg asm("r13") = reinterpret_cast<long>(arg);
  long result;
  asm volatile(
      "syscall\n\t"
      "test %%rax, %%rax\n\t"
      "jnz 1f\n\t"
      "xor %%ebp, %%ebp\n\t"  // the child's outermost frame
      "mov %%r13, %%rdi\n\t"
      "call *%%r12\n\t"
      "mov %%eax, %%edi\n\t"
      "mov %[exit_nr], %%eax\n\t"
      "syscall\n\t"
      "hlt\n\t"
      "1:\n\t"
      : "=a"(result)
      : "0"(static_cast<long>(SYS_clone3)), "D"(&args), "S"(sizeof(args)), "r"(child_fn),
        "r"(child_arg), [exit_nr] "i"(SYS_exit)
      : "rcx", "r11", "memory");
  return result;
#else
  (void)fn, (void)arg, (void)stack, (void)stack_size, (void)cgroup_fd;
  return -ENOSYS;
#endif
}

bool KernelLacksCloneIntoCgroup(int error) {
  return error == ENOSYS || error == E2BIG || error == EINVAL;
}

}  // namespace asgard::process
