// File: config.h
// conf/app.yaml as plain structs: every key of the original Asgard (including the spelling
// `moniter`) plus the new keys of SPEC.md section 2. Loading never throws; it returns a Status
// whose message names the key, the value and the expected form.
//
//   absl::StatusOr<LoadedConfig> loaded = LoadConfigFile("conf/app.yaml");
//   if (!loaded.ok()) { std::cerr << loaded.status().message(); return 2; }
//   for (const auto& w : loaded->warnings) spdlog::warn("{}", w);
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "runtime/task_def.h"

namespace asgard::config {

using Concurrency = runtime::Concurrency;

struct LogConfig {
  std::string level = "info";  // debug, info, warn, error
  std::string dir;             // "" = runtime_dir
  bool console = false;        // as the original: on only when explicitly true
};

struct DbConfig {
  std::string driver = "sqlite";  // sqlite or mysql ("mysql" when host is given)
  std::string path;               // sqlite file; "" = <runtime_dir>/asgard.db
  std::string host;
  int port = 3306;
  std::string user;
  std::string password;
  std::string database;
};

struct RedisConfig {
  std::string host;
  int port = 6379;
  std::string password;
  int db = 0;
};

struct MailConfig {
  std::string host;
  int port = 25;
  std::string user;
  std::string password;
  bool tls = false;                  // TLS required (STARTTLS, or implicit TLS on port 465)
  bool insecure_skip_verify = false;
  std::string ca;                    // CA bundle to verify the server with; "" = the system's
};

struct TlsConfig {
  std::string cert;
  std::string key;
  std::string ca;
};

struct WebConfig {
  int port = 12345;
  std::string ip;  // "" = role default (0.0.0.0 for web, 127.0.0.1 for all)
  std::string mode = "release";
  std::string domain;  // "" = host-only cookie
  std::string cookie_salt;  // "" (also when the file has the original's default) = generate one
  std::string static_dir;
  std::vector<std::string> cors_origins;
  // Proxies (addresses or CIDR networks) whose X-Forwarded-For names the client.
  std::vector<std::string> trusted_proxies;
  // Limits of the HTTP front (docs/config.md): what one client or user can hold.
  int max_connections = 10000;
  int max_connections_per_client = 256;  // per peer address; trusted proxies are exempt
  int max_requests_per_user = 32;        // handled at once
  int max_streams_per_user = 64;         // open live logs and monitor streams
  int header_timeout = 10;               // seconds from a request's first byte to its last header
  int idle_timeout = 60;                 // seconds a keep-alive connection may wait for a request
};

// How to reach etcd besides its endpoints (cluster mode): password authentication and TLS.
struct EtcdAuthConfig {
  std::string username;  // "" = etcd without authentication
  std::string password;
  std::string ca;    // PEM file; set (or an https:// endpoint) = TLS
  std::string cert;  // PEM client certificate and key: mutual TLS
  std::string key;
};

struct MasterConfig {
  std::string ip = "127.0.0.1";
  int port = 9527;
  int moniter = 10;
  bool notify = false;
  std::string receiver;
  bool cluster = false;
  std::vector<std::string> cluster_registry;
  std::string cluster_name;
  std::string cluster_id;
  std::string cluster_ip;  // "" = master.ip (which must then be a real address)
  EtcdAuthConfig cluster_auth;  // master.cluster_username, _password, _ca, _cert, _key
  int cluster_ttl = 5;  // seconds of the lease behind this master's key and its leadership
  int retention = 6;  // months of monitor tables kept
  std::string webhook;
  std::string webhook_type = "generic";
  int notify_throttle = 300;  // seconds: one alert per task per window, then a summary
  std::optional<int> metrics_port;  // unset = no /metrics listener; 0 = any free port
};

struct AgentConfig {
  std::string rpc_ip;
  int rpc_port = 27149;
  int moniter = 30;
  std::string master_ip = "127.0.0.1";
  int master_port = 9527;
  bool master_cluster = false;
  std::vector<std::string> master_cluster_registry;
  std::string master_cluster_name;
  EtcdAuthConfig master_cluster_auth;  // agent.master.cluster_username, ...
  // Identity of non-admin tasks when task_uid_range is off; unset = "nobody" if root, else "".
  std::optional<std::string> task_user;
  std::optional<int> metrics_port;        // unset = no /metrics listener; 0 = any free port
  // Each non-admin user's tasks run as uid first + user id (gid the same) on a root agent.
  // Unset = kDefaultTaskUidRange; `off` = every such task shares task_user (not advised).
  struct UidRange {
    uint32_t first = 0, last = 0;
    bool operator==(const UidRange&) const = default;
  };
  std::optional<UidRange> task_uid_range = kDefaultTaskUidRange;
  std::string task_home = "/var/lib/asgard/home";  // <task_home>/<uid>: HOME, 0700, per user
  int task_nproc = 1024;  // RLIMIT_NPROC of each such uid (its processes and threads)

  static constexpr UidRange kDefaultTaskUidRange{1900000000, 1900999999};
};

struct SystemConfig {
  int moniter = 10;  // seconds between process samples
  int timer = 5;     // accepted for compatibility; timings use exact deadlines
};

struct Config {
  std::string runtime_dir = "runtime";
  // Agents' credential towards masters ("" = a token generated into runtime_dir: same host only).
  std::string rpc_token;
  // Control calls to agents: web nodes and masters hold the token, agents only its argon2id
  // hash ("" both = a token generated into runtime_dir: same host only).
  std::string rpc_control_token;
  std::string rpc_control_token_hash;
  TlsConfig rpc_tls;
  LogConfig log;
  std::string web_log_dir;  // top-level `log.dir` of the original (legacy form defaults)
  WebConfig web;
  MasterConfig master;
  AgentConfig agent;
  SystemConfig system;
  std::map<std::string, DbConfig> db;        // component.db.<name>; Asgard uses "asgard"
  std::map<std::string, RedisConfig> redis;  // component.redis.<name>
  std::map<std::string, MailConfig> mail;    // component.mail.<name>
  // `app:`, `cron:` and `timing:` in that order, each list in the file's order; every task
  // passed runtime::Validate and its cron spec is parsed.
  runtime::TaskSet tasks;
};

struct LoadedConfig {
  Config config;
  std::vector<std::string> warnings;  // unknown keys, insecure settings; one sentence each
};

// Parses YAML text. `source` names the file in messages.
absl::StatusOr<LoadedConfig> ParseConfig(const std::string& yaml_text, const std::string& source);

// Reads and parses a file; a missing file is NotFound, a bad one InvalidArgument.
absl::StatusOr<LoadedConfig> LoadConfigFile(const std::string& path);

// The top-level `runtime_dir` of an app.yaml without parsing the rest, for client commands
// that only need the socket path (a 100,000-task file takes seconds to parse). "runtime" when
// the file, or the key, is missing or unreadable.
std::string ReadRuntimeDir(const std::string& path);

}  // namespace asgard::config
