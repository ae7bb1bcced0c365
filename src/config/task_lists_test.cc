// ParseConfig on valid app:, cron: and timing: lists: the new keys, synonyms and defaults.
// Errors in task lists are in config_errors_test.cc.
#include <chrono>
#include <csignal>
#include <map>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "config/config.h"
#include "config/task_lists_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace asgard::config {
namespace {

using testing::Apps;
using testing::AppConfig;
using testing::JobConfig;
using testing::Jobs;
using testing::TimingConfig;
using testing::Timings;

Config MustParse(const std::string& yaml) {
  absl::StatusOr<LoadedConfig> loaded = ParseConfig(yaml, "conf/app.yaml");
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_TRUE(!loaded.ok() || loaded->warnings.empty());
  return loaded.ok() ? loaded->config : Config{};
}

TEST(ParseTaskLists, NewKeysAndSynonyms) {
  const Config c = MustParse(R"yaml(
app:
  - name: web
    program: /bin/sh
    args: "-c 'exec web --port 80'"
    std_out: out.log
    std_err: err.log
    user: www-data
    env: {MODE: prod, WORKERS: 4, EMPTY: }
    stop_signal: SIGINT
    stop_timeout: "30"
    start_secs: 5
    max_restarts: 0
    backoff_max: 60
    max_bytes: 10MB
    backups: 3
    auto_restart: "no"
cron:
  - {name: a, program: date, spec: "@every 10s", concurrency: Replace, retries: 2,
     retry_delay: 5, timeout: -1, max_bytes: 1048576}
timing:
  - {name: t, program: date, time: "2026-11-25T10:30:00+08:00", grace: 0, retries: 1,
     timeout: 60, stop_signal: 9}
)yaml");
  const AppConfig app = Apps(c).at(0);
  EXPECT_EQ(app.spec.args, "-c 'exec web --port 80'");
  EXPECT_EQ(app.spec.std_out, "out.log");
  EXPECT_EQ(app.spec.std_err, "err.log");
  EXPECT_EQ(app.spec.user, "www-data");
  EXPECT_EQ(app.spec.env, (std::map<std::string, std::string>{
                              {"EMPTY", ""}, {"MODE", "prod"}, {"WORKERS", "4"}}));
  EXPECT_EQ(app.spec.stop_signal.number(), SIGINT);
  EXPECT_EQ(app.spec.stop_timeout, std::chrono::seconds(30));
  EXPECT_EQ(app.spec.max_bytes, 10 * 1024 * 1024);
  EXPECT_EQ(app.spec.backups, 3);
  EXPECT_FALSE(app.restart.auto_restart);
  EXPECT_EQ(app.restart.start_secs, std::chrono::seconds(5));
  EXPECT_EQ(app.restart.max_restarts, 0);
  EXPECT_EQ(app.restart.backoff_max, std::chrono::seconds(60));
  const JobConfig job = Jobs(c).at(0);
  EXPECT_EQ(job.concurrency, Concurrency::kReplace);
  EXPECT_EQ(job.max_concurrent, 10) << "the default";
  EXPECT_EQ(job.retries, 2);
  EXPECT_EQ(job.retry_delay, std::chrono::seconds(5));
  EXPECT_EQ(job.timeout, std::chrono::seconds(-1));
  EXPECT_EQ(job.spec.max_bytes, 1 << 20);
  const TimingConfig timing = Timings(c).at(0);
  const absl::Time want =
      absl::FromCivil(absl::CivilSecond(2026, 11, 25, 2, 30, 0), absl::UTCTimeZone());
  EXPECT_EQ(timing.time, absl::ToChronoTime(want));
  EXPECT_EQ(timing.grace, std::chrono::seconds(0));
  EXPECT_EQ(timing.retries, 1);
  EXPECT_EQ(timing.timeout, std::chrono::seconds(60));
  EXPECT_EQ(timing.spec.stop_signal.number(), SIGKILL);
}

TEST(ParseTaskLists, OptionalKeysDefault) {
  const Config c = MustParse("app:\n  - {name: x, program: sleep}\n");
  const AppConfig app = Apps(c).at(0);
  EXPECT_EQ(app.spec.dir, "");
  EXPECT_EQ(app.spec.args, "");
  EXPECT_EQ(app.spec.std_out, "");
  EXPECT_EQ(app.spec.std_err, "");
  EXPECT_TRUE(app.restart.auto_restart);
  EXPECT_EQ(app.spec.stop_signal.number(), SIGTERM);
  EXPECT_EQ(app.spec.max_bytes, 50 * 1024 * 1024);
}

TEST(ParseTaskLists, KeepsOrderAndReadsEveryEntry) {
  const Config c = MustParse(R"yaml(
app:
  - {name: one, program: a}
  - {name: two, program: b, stdout: o.log, std_err: e.log}
  - {name: three, program: c, is_monitor: yes}
timing:
  - {name: t1, program: date, time: "2030-01-01T00:00:00Z"}
  - {name: t2, program: date, time: "2030-01-01T00:00:00.250+01:00"}
)yaml");
  ASSERT_EQ(Apps(c).size(), 3u);
  EXPECT_EQ(Apps(c)[0].spec.name, "one");
  EXPECT_EQ(Apps(c)[1].spec.std_out, "o.log");
  EXPECT_EQ(Apps(c)[1].spec.std_err, "e.log");
  EXPECT_TRUE(Apps(c)[2].spec.is_monitor);
  ASSERT_EQ(Timings(c).size(), 2u);
  EXPECT_EQ(Timings(c)[1].time - Timings(c)[0].time,
            std::chrono::milliseconds(250) - std::chrono::hours(1));
  EXPECT_EQ(Timings(c)[0].grace, std::chrono::seconds(60));
  EXPECT_EQ(Timings(c)[0].retry_delay, std::chrono::seconds(10));
}

TEST(ParseTaskLists, QuotedArgsAreKeptAsWritten) {
  // Quoting is interpreted when the command is built (SPEC.md section 3), not here.
  const Config c = MustParse(R"yaml(
app:
  - name: clock
    program: /bin/sh
    args: -c 'while true; do date; sleep 5; done'
)yaml");
  EXPECT_EQ(Apps(c).at(0).spec.args, "-c 'while true; do date; sleep 5; done'");
}

}  // namespace
}  // namespace asgard::config
