// stamp FILE MODE [TAG]: the benchmarks' probe program.
// First thing in main it reads CLOCK_REALTIME and appends "NS PID TAG\n" to FILE (O_APPEND, one
// write, so concurrent stamps never interleave). MODE "pause" then sleeps until killed (restart
// and footprint benches); MODE "exit" exits at once (cron, timing and serial-spawn benches).
// Built statically by the bench scripts so exec-to-main costs as little as possible.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char** argv) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (argc < 3) {
    static const char usage[] = "usage: stamp FILE pause|exit [TAG]\n";
    (void)!write(2, usage, sizeof(usage) - 1);
    return 2;
  }
  char line[160];
  int n = snprintf(line, sizeof(line), "%lld %d %s\n",
                   (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, (int)getpid(),
                   argc > 3 ? argv[3] : "-");
  int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) {
    (void)!write(fd, line, (size_t)n);
    close(fd);
  }
  if (strcmp(argv[2], "pause") == 0) {
    for (;;) pause();
  }
  return 0;
}
