// ParseConfig and LoadConfigFile on bad input: every error names the file, the key path, the
// value and the expected form, and the YAML line where there is one.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "config/config.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace asgard::config {
namespace {

using ::testing::HasSubstr;

struct ErrorCase {
  std::string yaml;
  std::vector<std::string> want;  // substrings of the message
};

void ExpectErrors(const std::vector<ErrorCase>& cases) {
  for (const ErrorCase& c : cases) {
    absl::StatusOr<LoadedConfig> loaded = ParseConfig(c.yaml, "conf/app.yaml");
    ASSERT_FALSE(loaded.ok()) << c.yaml;
    EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument) << c.yaml;
    for (const std::string& want : c.want) {
      EXPECT_THAT(loaded.status().message(), HasSubstr(want)) << c.yaml;
    }
  }
}

TEST(ParseConfigErrors, WrongScalarsNameKeyValueFormAndLine) {
  ExpectErrors({
      {"web:\n  port: abc\n",
       {"conf/app.yaml: web.port: 'abc' is not a port (expected an integer 1-65535, or 0 for "
        "any free port) at line 2"}},
      {"component: {db: {asgard: {port: 0}}}",
       {"component.db.asgard.port: '0' is not a port (expected an integer 1-65535)"}},
      {"agent: {master: {port: 70000}}", {"agent.master.port: '70000' is not a port"}},
      {"app:\n  - {name: a, program: b}\n  - name: b\n    program: c\n    auto_restart: maybe\n",
       {"conf/app.yaml: app[1].auto_restart: 'maybe' is not a boolean (expected true/false, "
        "yes/no or 1/0) at line 5"}},
      {"master: {notify: 2}", {"master.notify: '2' is not a boolean"}},
      {"web: {cors_origins: ['*']}",
       {"web.cors_origins: '*' is not an origin (expected scheme://host[:port]"}},
      {"web: {cors_origins: [https://ops.example.com/]}",
       {"web.cors_origins: 'https://ops.example.com/' is not an origin"}},
      {"web: {cors_origins: [ops.example.com]}", {"'ops.example.com' is not an origin"}},
      {"web: {trusted_proxies: [proxy.example.com]}",
       {"web.trusted_proxies: 'proxy.example.com' is not an IP address or network"}},
      {"web: {trusted_proxies: [10.0.0.0/33]}",
       {"web.trusted_proxies: '10.0.0.0/33' has no prefix"}},
      {"web: {trusted_proxies: [10.0.0.1/8]}", {"did you mean 10.0.0.0/8?"}},
      {"web: {max_connections: 5}", {"web.max_connections: '5' is out of range"}},
      {"web: {max_streams_per_user: many}", {"web.max_streams_per_user: 'many' is not an integer"}},
      {"web: {header_timeout: 0}", {"web.header_timeout: '0' is out of range"}},
      {"system: {moniter: 0}",
       {"system.moniter: '0' is out of range (expected an integer number of seconds 1-86400)"}},
      {"system: {timer: 1.5}", {"system.timer: '1.5' is not an integer"}},
      {"master: {retention: -1}", {"master.retention: '-1' is out of range", "months"}},
      {"master: {cluster: true, cluster_name: a, cluster_id: m1}",
       {"master.cluster_registry: is empty (cluster: true needs the etcd endpoints)"}},
      {"master: {cluster: true, cluster_registry: ['127.0.0.1'], cluster_name: a, cluster_id: m1}",
       {"master.cluster_registry: '127.0.0.1' is not an etcd endpoint (host:port)"}},
      {"master: {cluster: true, cluster_registry: ['h:1'], cluster_name: a/b, cluster_id: m1}",
       {"master.cluster_name: 'a/b' holds a '/'"}},
      {"master: {cluster: true, cluster_registry: ['h:1'], cluster_name: a}",
       {"master.cluster_id: is empty"}},
      {"master: {cluster_ttl: 1}", {"master.cluster_ttl: '1' is out of range"}},
      {"master: {ip: 0.0.0.0, cluster: true, cluster_registry: ['h:1'], cluster_name: a, "
       "cluster_id: m1}",
       {"master.cluster_ip: is empty and master.ip is '0.0.0.0'"}},
      {"master: {cluster_cert: /etc/c.pem}", {"cluster_cert and cluster_key go together"}},
      {"agent: {master: {cluster: true, cluster_registry: ['https://h:99999'], cluster_name: a}}",
       {"agent.master.cluster_registry: 'https://h:99999' is not an etcd endpoint"}},
      {"agent: {master: {cluster_password: x}}",
       {"agent.master.cluster_username: is empty but cluster_password is set"}},
      {"component: {redis: {asgard: {db: x}}}",
       {"component.redis.asgard.db: 'x' is not an integer"}},
      {"component: {log: {level: verbose}}",
       {"component.log.level: 'verbose' is not allowed (expected one of debug, info, warn, "
        "error)"}},
      {"component: {db: {asgard: {driver: postgres}}}",
       {"component.db.asgard.driver: 'postgres' is not allowed (expected one of sqlite, mysql)"}},
      {"master: {webhook_type: slack}",
       {"master.webhook_type: 'slack' is not allowed (expected one of generic, dingtalk, wecom, "
        "feishu)"}},
      {"master: {webhook: ftp://x}", {"master.webhook: 'ftp://x' is not a URL"}},
      {"master: {notify_throttle: -1}", {"master.notify_throttle"}},
      {"master: {metrics_port: -5}", {"master.metrics_port: '-5' is not a port"}},
      {"runtime_dir: ''", {"runtime_dir: '' is not a directory"}},
      {"rpc: {tls: {cert: a.crt}}", {"rpc.tls: cert and key must be given together"}},
  });
}

// Issue 9's keys: a range that would share uids with accounts other services use, a control
// hash that is not one, a token too short to resist guessing.
TEST(ParseConfigErrors, SecurityKeys) {
  ExpectErrors({
      {"agent:\n  task_uid_range: 60000-70000\n", {"agent.task_uid_range", "DynamicUser"}},
      {"agent:\n  task_uid_range: 500-5000\n", {"agent.task_uid_range", "system accounts"}},
      {"agent:\n  task_uid_range: 2000000-2000010\n", {"fewer than 100"}},
      {"agent:\n  task_uid_range: lots\n", {"agent.task_uid_range", "FIRST-LAST"}},
      {"agent:\n  task_uid_range: 5000000-4294967295\n", {"4294967294"}},
      {"agent:\n  task_home: relative/home\n", {"agent.task_home", "absolute"}},
      {"agent:\n  task_nproc: 3\n", {"agent.task_nproc"}},
      {"rpc:\n  control_token: short\n", {"rpc.control_token", "16 characters"}},
      {"rpc:\n  control_token_hash: plain-text-token\n",
       {"rpc.control_token_hash", "asgard token hash"}},
  });
}

TEST(ParseConfig, SecurityKeysAndTheirDefaults) {
  auto defaults = ParseConfig("", "conf/app.yaml");
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_EQ(defaults->config.agent.task_uid_range, AgentConfig::kDefaultTaskUidRange);
  EXPECT_EQ(defaults->config.agent.task_home, "/var/lib/asgard/home");
  EXPECT_EQ(defaults->config.agent.task_nproc, 1024);
  auto set = ParseConfig(
      "rpc:\n  control_token: 0123456789abcdef0123\n"
      "  control_token_hash: '$argon2id$v=19$m=65536,t=2,p=1$abc$def'\n"
      "agent:\n  task_uid_range: 3000000-3099999\n  task_home: /srv/homes\n"
      "  task_nproc: 256\n",
      "conf/app.yaml");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->config.rpc_control_token, "0123456789abcdef0123");
  EXPECT_EQ(set->config.agent.task_uid_range, (AgentConfig::UidRange{3000000, 3099999}));
  EXPECT_EQ(set->config.agent.task_home, "/srv/homes");
  EXPECT_EQ(set->config.agent.task_nproc, 256);
  EXPECT_TRUE(set->warnings.empty());
  auto off = ParseConfig("agent:\n  task_uid_range: 'off'\n", "conf/app.yaml");
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_FALSE(off->config.agent.task_uid_range.has_value());
}

TEST(ParseConfigErrors, WrongTaskValues) {
  const std::string head = "app:\n  - name: a\n    program: b\n";
  ExpectErrors({
      {head + "    stop_signal: TERMINATE\n",
       {"app[0].stop_signal: 'TERMINATE' is not a signal (expected a name such as TERM, "
        "SIGTERM or INT, or a number 1-64) at line 4"}},
      {head + "    stop_signal: 99\n", {"app[0].stop_signal: '99' is not a signal"}},
      {head + "    max_bytes: 50XB\n",
       {"app[0].max_bytes: '50XB' is not a size (expected a number of bytes or a size like "
        "50MB, 10KB or 1GB)"}},
      {head + "    max_restarts: -1\n",
       {"app[0].max_restarts: '-1' is out of range (expected an integer >= 0)"}},
      {head + "    backups: -2\n", {"app[0].backups: '-2' is out of range"}},
      // Bounded against a rotation storm (every byte a rotation renaming 1000 files).
      {head + "    max_bytes: 1\n",
       {"app[0].max_bytes: '1' is out of range (expected 0, or a size of at least 1MB) at line 4"}},
      {head + "    max_bytes: 512KB\n", {"app[0].max_bytes: '512KB' is out of range"}},
      {head + "    backups: 1000\n",
       {"app[0].backups: '1000' is out of range (expected an integer 0-100) at line 4"}},
      {head + "    stop_timeout: -1\n",
       {"app[0].stop_timeout: '-1' is out of range (expected an integer number of seconds"}},
      {head + "    start_secs: soon\n", {"app[0].start_secs: 'soon' is not an integer"}},
      {head + "    backoff_max: 0\n", {"app[0].backoff_max: '0' is out of range"}},
      {head + "    args: [a, b]\n",
       {"app[0].args: a list is given where a single value is expected at line 4"}},
      {head + "    env: [A=1]\n", {"app[0].env: a list is not a mapping"}},
      {head + "    env: {\"A=B\": 1}\n", {"app[0].env.A=B: 'A=B' is not a valid name"}},
      {head + "    stdout: a.log\n    std_out: b.log\n",
       {"app[0].std_out: both stdout and std_out are given"}},
      {"cron:\n  - {name: a, program: b, spec: '* * * * *', max_concurrent: 0}\n",
       {"cron[0].max_concurrent: '0' is out of range (expected an integer 1-1000)"}},
      {"cron:\n  - {name: a, program: b, spec: '* * * * *', concurrency: parallel}\n",
       {"cron[0].concurrency: 'parallel' is not allowed (expected one of forbid, allow, "
        "replace)"}},
      {"cron:\n  - {name: a, program: b, spec: '* * * * *', retries: -1}\n",
       {"cron[0].retries: '-1' is out of range"}},
      {"timing:\n  - {name: a, program: b, time: '2026-11-25T10:30:00Z', grace: -1}\n",
       {"timing[0].grace: '-1' is out of range"}},
  });
}

TEST(ParseConfigErrors, RequiredTaskKeys) {
  ExpectErrors({
      {"app:\n  - program: b\n",
       {"conf/app.yaml: app[0]: name is missing (expected a non-empty "
        "name) at line 2"}},
      {"app:\n  - {name: '', program: b}\n", {"app[0].name: '' is empty"}},
      {"app:\n  - {name: a}\n", {"app[0]: program is missing (expected a program name or path)"}},
      {"cron:\n  - {name: a, program: b}\n", {"cron[0]: spec is missing (expected a cron spec"}},
      {"timing:\n  - {name: a, program: b}\n",
       {"timing[0]: time is missing (expected an RFC 3339 time"}},
      {"app:\n  - just-a-name\n", {"app[0]: a plain value is not a mapping"}},
      {"app: {name: a}\n", {"app: a mapping is given where a list is expected at line 1"}},
  });
}

TEST(ParseConfigErrors, DuplicateNamesWithinOneList) {
  ExpectErrors({
      {"cron:\n"
       "  - {name: backup, program: b, spec: '* * * * *'}\n"
       "  - {name: x, program: b, spec: '* * * * *'}\n"
       "  - {name: y, program: b, spec: '* * * * *'}\n"
       "  - {name: backup, program: c, spec: '* * * * *'}\n",
       {"conf/app.yaml: cron[3].name: duplicate name 'backup' (first at cron[0]) at line 5"}},
      {"app:\n  - {name: a, program: b}\n  - {name: a, program: b}\n",
       {"app[1].name: duplicate name 'a' (first at app[0])"}},
  });
  // The same name in different lists is fine: each list is its own namespace.
  EXPECT_TRUE(ParseConfig("app: [{name: a, program: b}]\ncron: [{name: a, program: b, spec: "
                          "'* * * * *'}]\n",
                          "x")
                  .ok());
}

TEST(ParseConfigErrors, BadCronSpecIsPrefixedWithItsKey) {
  ExpectErrors({
      {"cron:\n  - {name: a, program: b, spec: '61 * * * *'}\n",
       {"conf/app.yaml: cron[0].spec: field 1 (minute)", "61", "at line 2"}},
      {"cron:\n  - {name: a, program: b, spec: '0 0 30 2 *'}\n", {"cron[0].spec: "}},
  });
}

TEST(ParseConfigErrors, BadTimingTimeIsPrefixedWithItsKey) {
  ExpectErrors({
      {"timing:\n  - {name: a, program: b, time: tomorrow}\n",
       {"timing[0].time: 'tomorrow' is not an RFC 3339 time (expected e.g. "
        "2026-11-25T10:30:00+08:00) at line 2"}},
      {"timing:\n  - {name: a, program: b, time: '2026-02-30T00:00:00Z'}\n",
       {"timing[0].time: '2026-02-30T00:00:00Z' is not an RFC 3339 time: day 30"}},
  });
}

TEST(ParseConfigErrors, MalformedYamlAndShapes) {
  ExpectErrors({
      {"web:\n  port: 1\n bad: [\n", {"conf/app.yaml: malformed YAML at line"}},
      {"a: b: c\n", {"conf/app.yaml: malformed YAML at line 1"}},
      {"- a\n- b\n", {"conf/app.yaml: top level: a list is not a mapping"}},
      {"just text\n", {"top level: a plain value is not a mapping"}},
      {"web: 5\n", {"conf/app.yaml: web: a plain value is not a mapping", "at line 1"}},
      {"web:\n  port: 1\n  port: 2\n", {"web.port: key given twice at line 3 (first at line 2)"}},
      {"? [a, b]\n: c\n", {"top level: a list is used as a key"}},
  });
}

class LoadConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/asgard_config_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::remove((dir_ + "/app.yaml").c_str());
    rmdir((dir_ + "/sub").c_str());
    rmdir(dir_.c_str());
  }
  std::string dir_;
};

TEST_F(LoadConfigFileTest, ReadsAFile) {
  const std::string path = dir_ + "/app.yaml";
  std::ofstream(path) << "web: {prot: 1}\n";
  absl::StatusOr<LoadedConfig> loaded = LoadConfigFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->warnings.size(), 1u);
  EXPECT_EQ(loaded->warnings[0], "unknown key 'web.prot' in " + path + " (ignored)");
}

TEST_F(LoadConfigFileTest, MissingFileIsNotFound) {
  absl::StatusOr<LoadedConfig> loaded = LoadConfigFile(dir_ + "/app.yaml");
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(loaded.status().message(), dir_ + "/app.yaml: no such file");
}

TEST_F(LoadConfigFileTest, AFifoOrADirectoryIsRefusedAtOnce) {
  // Opening a FIFO for reading waited for a writer forever (and `cluster status` hung).
  const std::string fifo = dir_ + "/app.yaml";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  absl::StatusOr<LoadedConfig> loaded = LoadConfigFile(fifo);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(loaded.status().message(), fifo + ": not a regular file");
  ASSERT_EQ(mkdir((dir_ + "/d").c_str(), 0700), 0);
  EXPECT_FALSE(LoadConfigFile(dir_ + "/d").ok());
}

TEST_F(LoadConfigFileTest, UnreadableFileGivesTheErrnoText) {
  ASSERT_EQ(mkdir((dir_ + "/sub").c_str(), 0700), 0);
  absl::StatusOr<LoadedConfig> loaded = LoadConfigFile(dir_ + "/sub");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().message(), dir_ + "/sub: Is a directory");
  if (geteuid() == 0) return;  // root reads files whatever their mode: the rest needs a user
  const std::string path = dir_ + "/app.yaml";
  std::ofstream(path) << "web: {}\n";
  ASSERT_EQ(chmod(path.c_str(), 0), 0);
  loaded = LoadConfigFile(path);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(loaded.status().message(), path + ": Permission denied");
}

TEST_F(LoadConfigFileTest, RefusesHugeFiles) {
  const std::string path = dir_ + "/app.yaml";
  std::ofstream(path) << std::string((64 << 20) + 1, '#');
  absl::StatusOr<LoadedConfig> loaded = LoadConfigFile(path);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(loaded.status().message(), path + ": larger than 64 MiB, not a config");
}

TEST_F(LoadConfigFileTest, BadFileNamesThePath) {
  const std::string path = dir_ + "/app.yaml";
  std::ofstream(path) << "web:\n  port: abc\n";
  absl::StatusOr<LoadedConfig> loaded = LoadConfigFile(path);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(loaded.status().message(), HasSubstr(path + ": web.port: 'abc' is not a port"));
}

}  // namespace
}  // namespace asgard::config
