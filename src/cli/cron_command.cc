#include <iostream>

#include "cli/commands.h"
#include "cli/local_commands.h"
#include "cli/status_output.h"
#include "common/printable.h"
#include "common/absl_fmt.h"
#include "sched/cron_schedule.h"
#include "sched/time_format.h"
#include "runtime/cron.h"
#include "runtime/fired_file.h"
#include "standalone/daemon.h"

namespace asgard::cli {
namespace {

using RoleOr = absl::StatusOr<std::unique_ptr<runtime::TaskRole>>;

// Timings already fired that are still configured stay remembered; the rest are dropped.
RoleOr MakeCron(EventLoop& loop, process::Launcher& launcher, const config::Config& config) {
  auto fired = runtime::FiredFile::Open(config.runtime_dir + "/timings.fired");
  if (!fired.ok()) return fired.status();
  std::set<std::pair<std::string, int64_t>> keep;
  for (const runtime::TaskDef* t : config.tasks.OfKind(runtime::TaskKind::kTiming)) {
    keep.emplace(runtime::Cron::FiredKey(t->id),
                 std::chrono::duration_cast<std::chrono::seconds>(
                     t->timing().time.time_since_epoch())
                     .count());
  }
  if (auto s = (*fired)->Compact(keep); !s.ok()) return s;
  return std::make_unique<runtime::Cron>(loop, launcher, std::move(*fired));
}

int RunCron(const LocalFlags& flags) {
  standalone::DaemonOptions options{"cron", flags.conf_dir, flags.socket};
  return standalone::RunDaemon(options, &MakeCron);
}

int Next(const NextFlags& flags) {
  absl::TimeZone zone = absl::LocalTimeZone();
  if (!flags.tz.empty()) {
    auto loaded = sched::LoadZone(flags.tz);
    if (!loaded.ok()) {
      std::cerr << "--tz: " << Printable(loaded.status().message()) << std::endl;
      return kExitUsage;
    }
    zone = *loaded;
  }
  absl::Time from = absl::Now();
  if (!flags.from.empty()) {
    auto parsed = sched::ParseRfc3339(flags.from);
    if (!parsed.ok()) {
      std::cerr << "--from: " << Printable(parsed.status().message()) << std::endl;
      return kExitUsage;
    }
    from = *parsed;
  }
  auto schedule = sched::CronSchedule::Parse(flags.spec, zone);
  if (!schedule.ok()) {
    std::cerr << "spec '" << Printable(flags.spec)
              << "': " << Printable(schedule.status().message()) << std::endl;
    return kExitUsage;
  }
  absl::TimeZone out_zone = flags.tz.empty() ? schedule->zone() : zone;
  for (int i = 0; i < flags.count; ++i) {
    auto next = schedule->Next(from);
    if (!next) break;
    std::cout << sched::FormatIso8601(*next, out_zone) << "\n";
    from = *next;
  }
  return kExitOk;
}

void AddNext(CLI::App& cron, Invocation& inv) {
  CLI::App* next = cron.add_subcommand("next", "Print the next fire times of a cron spec");
  next->add_option("spec", inv.next.spec,
                   "Cron spec, e.g. \"*/15 9-17 * * MON-FRI\" (quote it)")
      ->required();
  next->add_option("-n", inv.next.count, "How many fire times")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  next->add_option("--tz", inv.next.tz,
                   "Zone to evaluate (when the spec has no CRON_TZ=) and print in");
  next->add_option("--from", inv.next.from, "RFC 3339 start (default: now)");
  next->final_callback([&inv] { inv.action = [&inv] { return Next(inv.next); }; });
}

}  // namespace

void AddCronCommand(CLI::App& app, Invocation& inv) {
  CLI::App* cron = app.add_subcommand(
      "cron",
      "Single-machine cron for the `cron:` and `timing:` lists of app.yaml (单机计划/定时任务)");
  AddDaemonFlags(*cron, inv.cron);
  cron->footer(
      "Without a subcommand, runs cron in the foreground: `cron:` jobs on their spec, `timing:`\n"
      "entries once at their time (remembered in <runtime_dir>/timings.fired). SIGTERM/SIGINT\n"
      "stop running jobs gracefully; SIGHUP reloads app.yaml. Keys: docs/config.md.");
  cron->require_subcommand(0, 1);
  AddStatusAndShow(*cron, "cron", inv.cron, &RenderCronStatus, inv.action);
  AddNext(*cron, inv);
  cron->final_callback([&inv, cron] {
    if (!cron->get_subcommands().empty()) return;
    inv.action = [&inv] { return RunCron(inv.cron); };
  });
}

}  // namespace asgard::cli
