// ParseConfig on valid files: the original's keys and forms, the new keys, coercions, warnings.
// Error cases are in config_errors_test.cc.
#include "config/config.h"
#include "config/task_lists_testing.h"

#include <csignal>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
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

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr char kSource[] = "conf/app.yaml";

LoadedConfig MustParse(const std::string& yaml) {
  absl::StatusOr<LoadedConfig> loaded = ParseConfig(yaml, kSource);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return loaded.ok() ? *std::move(loaded) : LoadedConfig{};
}

// Every key of ORIGINAL.md 2.1-2.3, as the original's README and users write them.
constexpr char kOriginalFile[] = R"yaml(
web:
  port: 12345
  mode: release
  domain: example.com
  cookie_salt: k3y!s4lt
log:
  dir: runtimes/
master:
  ip: 10.0.0.1
  port: "9527"
  moniter: 15
  notify: true
  receiver: ops@example.com
  cluster: true
  cluster_registry: ["127.0.0.1:2379", "127.0.0.2:2379"]
  cluster_name: asgard
  cluster_id: master-1
  cluster_ip: 10.0.0.1
agent:
  moniter: 10
  master:
    ip: 10.0.0.1
    port: 9527
    cluster: false
    cluster_registry: ["127.0.0.1:2379"]
    cluster_name: asgard
  rpc:
    ip: 10.0.0.7
    port: "27149"
system:
  moniter: 20
  timer: 3
component:
  db:
    asgard:
      host: 127.0.0.1
      port: 3306
      user: root
      password: secret
      database: asgard
  redis:
    asgard:
      host: 127.0.0.1
      port: 6379
      password: ""
      db: "2"
  mail:
    asgard:
      host: smtp.example.com
      port: 465
      user: bot@example.com
      password: pw
      tls: true
  log:
    level: debug
    dir: logs
    console: true
app:
  - name: api
    dir: /srv/api
    program: ./api
    args: --port 8080
    stdout: logs/api.out
    stderr: logs/api.err
    auto_restart: true
    is_monitor: true
cron:
  - name: backup
    dir: ""
    program: /usr/bin/backup
    args: ""
    stdout: logs/backup.out
    stderr: logs/backup.err
    spec: "0 3 * * *"
    timeout: 600
    is_monitor: false
)yaml";

TEST(ParseConfig, OriginalFileParsesWithItsValues) {
  LoadedConfig loaded = MustParse(kOriginalFile);
  EXPECT_THAT(loaded.warnings, IsEmpty());
  const Config& c = loaded.config;
  EXPECT_EQ(c.web.port, 12345);
  EXPECT_EQ(c.web.mode, "release");
  EXPECT_EQ(c.web.domain, "example.com");
  EXPECT_EQ(c.web.cookie_salt, "k3y!s4lt");
  EXPECT_EQ(c.web_log_dir, "runtimes/");
  EXPECT_EQ(c.master.ip, "10.0.0.1");
  EXPECT_EQ(c.master.port, 9527);
  EXPECT_EQ(c.master.moniter, 15);
  EXPECT_TRUE(c.master.notify);
  EXPECT_EQ(c.master.receiver, "ops@example.com");
  EXPECT_TRUE(c.master.cluster);
  EXPECT_THAT(c.master.cluster_registry, ElementsAre("127.0.0.1:2379", "127.0.0.2:2379"));
  EXPECT_EQ(c.master.cluster_name, "asgard");
  EXPECT_EQ(c.master.cluster_id, "master-1");
  EXPECT_EQ(c.master.cluster_ip, "10.0.0.1");
  EXPECT_EQ(c.agent.moniter, 10);
  EXPECT_EQ(c.agent.master_ip, "10.0.0.1");
  EXPECT_EQ(c.agent.master_port, 9527);
  EXPECT_FALSE(c.agent.master_cluster);
  EXPECT_THAT(c.agent.master_cluster_registry, ElementsAre("127.0.0.1:2379"));
  EXPECT_EQ(c.agent.master_cluster_name, "asgard");
  EXPECT_EQ(c.agent.rpc_ip, "10.0.0.7");
  EXPECT_EQ(c.agent.rpc_port, 27149);
  EXPECT_EQ(c.system.moniter, 20);
  EXPECT_EQ(c.system.timer, 3);
}

TEST(ParseConfig, OriginalFileComponents) {
  const Config c = MustParse(kOriginalFile).config;
  ASSERT_EQ(c.db.count("asgard"), 1u);
  const DbConfig& db = c.db.at("asgard");
  EXPECT_EQ(db.driver, "mysql");  // a host and no driver: the original's MySQL
  EXPECT_EQ(db.host, "127.0.0.1");
  EXPECT_EQ(db.port, 3306);
  EXPECT_EQ(db.user, "root");
  EXPECT_EQ(db.password, "secret");
  EXPECT_EQ(db.database, "asgard");
  const RedisConfig& redis = c.redis.at("asgard");
  EXPECT_EQ(redis.port, 6379);
  EXPECT_EQ(redis.db, 2);
  const MailConfig& mail = c.mail.at("asgard");
  EXPECT_EQ(mail.host, "smtp.example.com");
  EXPECT_EQ(mail.port, 465);
  EXPECT_EQ(mail.user, "bot@example.com");
  EXPECT_TRUE(mail.tls);
  EXPECT_FALSE(mail.insecure_skip_verify);  // tls: true no longer disables verification
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.log.dir, "logs");
  EXPECT_TRUE(c.log.console);
}

TEST(ParseConfig, OriginalFileTaskLists) {
  const Config c = MustParse(kOriginalFile).config;
  ASSERT_EQ(Apps(c).size(), 1u);
  const AppConfig app = Apps(c)[0];
  EXPECT_EQ(app.spec.name, "api");
  EXPECT_EQ(app.spec.dir, "/srv/api");
  EXPECT_EQ(app.spec.program, "./api");
  EXPECT_EQ(app.spec.args, "--port 8080");
  EXPECT_EQ(app.spec.std_out, "logs/api.out");
  EXPECT_EQ(app.spec.std_err, "logs/api.err");
  EXPECT_TRUE(app.restart.auto_restart);
  EXPECT_TRUE(app.spec.is_monitor);
  EXPECT_EQ(app.restart, process::RestartPolicy{});  // the new keys keep their defaults
  ASSERT_EQ(Jobs(c).size(), 1u);
  const JobConfig job = Jobs(c)[0];
  EXPECT_EQ(job.spec.name, "backup");
  EXPECT_EQ(job.spec.program, "/usr/bin/backup");
  EXPECT_EQ(job.schedule, "0 3 * * *");
  EXPECT_EQ(job.timeout, std::chrono::seconds(600));
  EXPECT_EQ(job.concurrency, Concurrency::kForbid);
  EXPECT_EQ(job.retries, 0);
  EXPECT_THAT(Timings(c), IsEmpty());
}

TEST(ParseConfig, EmptyFileIsAnEmptyConfigWithDefaults) {
  for (const char* text : {"", "\n", "# only a comment\n", "---\n", "app:\ncron:\ntiming:\n"}) {
    LoadedConfig loaded = MustParse(text);
    EXPECT_THAT(loaded.warnings, IsEmpty()) << text;
    const Config& c = loaded.config;
    EXPECT_EQ(c.runtime_dir, "runtime");
    EXPECT_EQ(c.web.port, 12345);
    EXPECT_EQ(c.master.port, 9527);
    EXPECT_EQ(c.master.moniter, 10);
    EXPECT_EQ(c.agent.rpc_port, 27149);
    EXPECT_EQ(c.agent.moniter, 30);
    EXPECT_EQ(c.system.moniter, 10);
    EXPECT_EQ(c.system.timer, 5);
    EXPECT_EQ(c.log.level, "info");
    EXPECT_FALSE(c.log.console);
    EXPECT_FALSE(c.agent.task_user.has_value());
    EXPECT_FALSE(c.master.metrics_port.has_value());
    EXPECT_THAT(c.db, IsEmpty());
    EXPECT_THAT(Apps(c), IsEmpty());
    EXPECT_THAT(Jobs(c), IsEmpty());
    EXPECT_THAT(Timings(c), IsEmpty());
  }
}

TEST(ParseConfig, MoniterSpellingIsReadInAllThreePlaces) {
  const Config c =
      MustParse("master: {moniter: 11}\nagent: {moniter: '12'}\nsystem: {moniter: 13}\n").config;
  EXPECT_EQ(c.master.moniter, 11);
  EXPECT_EQ(c.agent.moniter, 12);
  EXPECT_EQ(c.system.moniter, 13);
  EXPECT_EQ(c.system.timer, 5);  // unlike the original, a missing timer keeps its default
}

TEST(ParseConfig, NewTopLevelAndRoleKeys) {
  const Config c = MustParse(R"yaml(
runtime_dir: /var/lib/asgard
rpc:
  token: s3cret
  tls: {cert: tls/node.crt, key: tls/node.key, ca: tls/ca.crt}
web:
  ip: 127.0.0.1
  port: 0
  static_dir: web-ui/dist
  cors_origins: [https://a.example, https://b.example]
  trusted_proxies: [10.0.0.5, "fd00::/8"]
  max_connections_per_client: 50
  max_streams_per_user: 0
  header_timeout: 5
master:
  port: 0
  retention: 12
  webhook: https://oapi.dingtalk.com/robot/send?access_token=x
  webhook_type: DingTalk
  metrics_port: 9100
agent:
  rpc: {port: 0}
  task_user: nobody
  metrics_port: 0
component:
  db:
    asgard: {driver: sqlite, path: runtime/a.db}
)yaml")
                       .config;
  EXPECT_EQ(c.runtime_dir, "/var/lib/asgard");
  EXPECT_EQ(c.rpc_token, "s3cret");
  EXPECT_EQ(c.rpc_tls.cert, "tls/node.crt");
  EXPECT_EQ(c.rpc_tls.key, "tls/node.key");
  EXPECT_EQ(c.rpc_tls.ca, "tls/ca.crt");
  EXPECT_EQ(c.web.ip, "127.0.0.1");
  EXPECT_EQ(c.web.port, 0);
  EXPECT_EQ(c.web.static_dir, "web-ui/dist");
  EXPECT_THAT(c.web.cors_origins, ElementsAre("https://a.example", "https://b.example"));
  EXPECT_THAT(c.web.trusted_proxies, ElementsAre("10.0.0.5", "fd00::/8"));
  EXPECT_EQ(c.web.max_connections_per_client, 50);
  EXPECT_EQ(c.web.max_streams_per_user, 0);
  EXPECT_EQ(c.web.header_timeout, 5);
  EXPECT_EQ(c.web.max_connections, 10000);  // not set: the default
  EXPECT_EQ(c.master.port, 0);
  EXPECT_EQ(c.master.retention, 12);
  EXPECT_EQ(c.master.webhook_type, "dingtalk");
  EXPECT_EQ(c.master.metrics_port, 9100);
  EXPECT_EQ(c.agent.rpc_port, 0);
  EXPECT_EQ(c.agent.task_user, "nobody");
  EXPECT_EQ(c.agent.metrics_port, 0);
  EXPECT_EQ(c.db.at("asgard").driver, "sqlite");
  EXPECT_EQ(c.db.at("asgard").path, "runtime/a.db");
}

TEST(ParseConfig, DbDriverDefaultsToSqliteWithoutHost) {
  const Config c = MustParse("component: {db: {asgard: {path: x.db}, other: {host: h}}}").config;
  EXPECT_EQ(c.db.at("asgard").driver, "sqlite");
  EXPECT_EQ(c.db.at("other").driver, "mysql");
}

TEST(ParseConfig, CoercionsOfPortsAndBooleans) {
  for (const char* yes : {"true", "True", "yes", "YES", "1", "'true'", "\"yes\"", "'1'", "on"}) {
    const Config c = MustParse(std::string("component: {log: {console: ") + yes + "}}").config;
    EXPECT_TRUE(c.log.console) << yes;
  }
  for (const char* no : {"false", "No", "0", "'false'", "\"no\"", "'0'", "off"}) {
    const Config c = MustParse(std::string("master: {notify: ") + no + "}").config;
    EXPECT_FALSE(c.master.notify) << no;
  }
  EXPECT_EQ(MustParse("web: {port: '8080'}").config.web.port, 8080);
  EXPECT_EQ(MustParse("web: {port: 8080}").config.web.port, 8080);
  EXPECT_EQ(MustParse("agent: {rpc: {port: ''}}").config.agent.rpc_port, 0);
  EXPECT_EQ(MustParse("web: {port: }").config.web.port, 12345);  // null keeps the default
}

TEST(ParseConfig, SingleValueListIsAListOfOne) {
  const Config c = MustParse("master: {cluster_registry: 127.0.0.1:2379}").config;
  EXPECT_THAT(c.master.cluster_registry, ElementsAre("127.0.0.1:2379"));
}

TEST(ParseConfig, WarnsAboutUnknownKeysByFullPath) {
  const LoadedConfig loaded = MustParse(R"yaml(
web: {prot: 80}
colour: blue
component: {db: {asgard: {hots: x}}, etcd: {}}
app:
  - {name: a, program: b}
  - {name: b, program: b}
  - {name: c, program: b, restart: always}
cron:
  - {name: a, program: b, spec: "* * * * *", auto_restart: true}
)yaml");
  EXPECT_THAT(loaded.warnings,
              ElementsAre("unknown key 'web.prot' in conf/app.yaml (ignored)",
                          "unknown key 'colour' in conf/app.yaml (ignored)",
                          "unknown key 'component.db.asgard.hots' in conf/app.yaml (ignored)",
                          "unknown key 'component.etcd' in conf/app.yaml (ignored)",
                          "unknown key 'app[2].restart' in conf/app.yaml (ignored)",
                          "unknown key 'cron[0].auto_restart' in conf/app.yaml (ignored)"));
}

TEST(ParseConfig, WarnsAboutInsecureSettings) {
  const LoadedConfig loaded = MustParse(R"yaml(
web: {cookie_salt: sdswqeqx, jwt_secret: abc}
component: {mail: {asgard: {host: h, insecure_skip_verify: yes}}}
)yaml");
  ASSERT_EQ(loaded.warnings.size(), 3u);
  EXPECT_THAT(loaded.warnings[0], HasSubstr("web.cookie_salt in conf/app.yaml is the original's "
                                            "public default 'sdswqeqx'"));
  EXPECT_THAT(loaded.warnings[0], HasSubstr("a random secret will be generated"));
  EXPECT_THAT(loaded.warnings[1], HasSubstr("web.jwt_secret in conf/app.yaml is not used"));
  EXPECT_THAT(loaded.warnings[2],
              HasSubstr("component.mail.asgard.insecure_skip_verify is true in conf/app.yaml"));
  EXPECT_EQ(loaded.config.web.cookie_salt, "");  // the web role generates one
  EXPECT_TRUE(loaded.config.mail.at("asgard").insecure_skip_verify);
}

TEST(ParseConfig, WarnsAboutAMailLoginThatMayGoInTheClear) {
  const LoadedConfig plain = MustParse(
      "component: {mail: {asgard: {host: h, port: 25, user: u, password: p}}}\n");
  ASSERT_EQ(plain.warnings.size(), 1u);
  EXPECT_THAT(plain.warnings[0], HasSubstr("component.mail.asgard.password is set in "
                                           "conf/app.yaml but component.mail.asgard.tls is false"));
  for (const char* safe : {"{host: h, port: 25, user: u, password: p, tls: true}",
                           "{host: h, port: 465, user: u, password: p}",
                           "{host: h, port: 25, user: u}"}) {
    EXPECT_THAT(MustParse(std::string("component: {mail: {asgard: ") + safe + "}}\n").warnings,
                IsEmpty())
        << safe;
  }
}

TEST(ParseConfig, NotifyThrottleAndMailCa) {
  const Config c = MustParse(
      "master: {notify_throttle: 0}\n"
      "component: {mail: {asgard: {host: h, ca: /etc/ssl/company-ca.pem}}}\n").config;
  EXPECT_EQ(c.master.notify_throttle, 0);
  EXPECT_EQ(c.mail.at("asgard").ca, "/etc/ssl/company-ca.pem");
  EXPECT_EQ(MustParse("master: {port: 1}\n").config.master.notify_throttle, 300);
}

}  // namespace
}  // namespace asgard::config
