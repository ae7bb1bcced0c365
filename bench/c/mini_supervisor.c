// mini_supervisor PROGRAM ARGS...: the floor of the restart benchmark. The least a supervisor
// can do on this machine: block SIGCHLD, wait for it on a signalfd (as Asgard's event loop
// does), reap, and posix_spawn the program again in a new session. No logs, no pipes, no
// cgroup. Exits on SIGTERM after killing its child.
#define _GNU_SOURCE
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

static pid_t start(char** argv) {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], NULL, &attr, argv, environ) != 0) pid = -1;
  posix_spawnattr_destroy(&attr);
  return pid;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: mini_supervisor PROGRAM [ARGS...]\n");
    return 2;
  }
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGINT);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
  pid_t child = start(argv + 1);
  struct signalfd_siginfo si;
  while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
    if (si.ssi_signo != SIGCHLD) break;
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid == child) child = start(argv + 1);
    }
  }
  if (child > 0) kill(-child, SIGKILL);
  while (wait(NULL) > 0) {
  }
  return 0;
}
