// spawn_serial COUNT STAMP FILE [TAG_PREFIX [AT_NS]]: the machine's serial spawn baseline.
// Reads CLOCK_REALTIME, then posix_spawn()s COUNT copies of `STAMP FILE exit TAG` one after
// another as fast as it can (no wait in between; glibc's posix_spawn is a CLONE_VFORK clone, as
// Asgard's own spawn), then reaps them all. Prints "T0_NS" on stdout; the caller reads the
// stamps in FILE: (last stamp - T0) is the time this machine needs to start COUNT processes.
// With AT_NS (CLOCK_REALTIME ns), it first sleeps until that instant (clock_nanosleep,
// TIMER_ABSTIME) and T0 is AT_NS: the time from a scheduled instant to the execs, wake-up
// included, as a scheduler that sleeps until its fire time pays it.
#define _GNU_SOURCE
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: spawn_serial COUNT STAMP FILE [TAG_PREFIX [AT_NS]]\n");
    return 2;
  }
  int count = atoi(argv[1]);
  const char* prefix = argc > 4 ? argv[4] : "serial";
  char tag[64];
  char* child_argv[] = {argv[2], argv[3], "exit", tag, NULL};
  struct timespec ts;
  long long t0;
  if (argc > 5) {
    t0 = atoll(argv[5]);
    struct timespec at = {.tv_sec = t0 / 1000000000LL, .tv_nsec = t0 % 1000000000LL};
    while (clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &at, NULL) != 0) {
    }
  } else {
    clock_gettime(CLOCK_REALTIME, &ts);
    t0 = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
  }
  int started = 0;
  for (int i = 0; i < count; ++i) {
    snprintf(tag, sizeof(tag), "%s-%d", prefix, i);
    pid_t pid;
    if (posix_spawn(&pid, argv[2], NULL, NULL, child_argv, environ) == 0) ++started;
  }
  for (int i = 0; i < started; ++i) wait(NULL);
  printf("%lld %d\n", t0, started);
  return started == count ? 0 : 1;
}
