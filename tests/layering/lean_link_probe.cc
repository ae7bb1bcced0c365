// Links the lean libraries (the task runtime, the role scaffold) and nothing else, so that
// layering_test.sh can read what they pull in. Uses their classes so the objects are linked.
#include "common/event_loop.h"
#include "process/posix_launcher.h"
#include "runtime/job_runner.h"
#include "runtime/timing_runner.h"

int main(int argc, char** argv) {
  if (argc < 2) return 0;  // never runs the runtime: only its link is looked at
  auto loop = asgard::EventLoop::Create();
  if (!loop.ok()) return 1;
  auto launcher = asgard::process::PosixLauncher::Create(**loop, "probe");
  if (!launcher.ok()) return 1;
  auto schedule = asgard::sched::CronSchedule::Parse(argv[1]);
  if (!schedule.ok()) return 1;
  struct Quiet final : asgard::process::RunObserver {
    void OnArchive(const asgard::process::ArchiveRecord&) override {}
    void OnException(const asgard::process::ExceptionRecord&) override {}
  } observer;
  asgard::runtime::JobDefinition def{{}, *schedule, {}};
  asgard::runtime::JobRunner job(std::move(def), **launcher, **loop, observer);
  job.Enable();
  (*loop)->Run();
  return 0;
}
