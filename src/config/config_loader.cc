// ParseConfig / LoadConfigFile, and the roles' sections of app.yaml (web, master, agent, system,
// rpc, the top-level log). Components and task lists are in components.cc and task_lists.cc.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "common/errno_status.h"
#include "common/ip_address.h"
#include "common/status_macros.h"
#include "common/unique_fd.h"
#include "config/config.h"
#include "config/sections.h"
#include "config/value_parsers.h"
#include "config/yaml_reader.h"
#include "yaml-cpp/yaml.h"

namespace asgard::config {
namespace {

// The original's built-in cookie key: public, so it protects nothing (SPEC.md section 2).
constexpr char kOriginalCookieSalt[] = "sdswqeqx";
constexpr int kMaxIntervalSeconds = 86400;
// Bounds what a mistaken path (a device, a FIFO, a log file) can make the loader read.
// Big enough for 100,000 tasks (about 7 MiB), small enough to refuse a device or a log file.
constexpr size_t kMaxFileBytes = 64 << 20;

absl::Status ReadRpc(MapReader& root, Config& config) {
  ASSIGN_OR_RETURN(MapReader rpc, root.Map("rpc"));
  RETURN_IF_ERROR(rpc.String("token", &config.rpc_token));
  RETURN_IF_ERROR(rpc.String("control_token", &config.rpc_control_token));
  RETURN_IF_ERROR(rpc.String("control_token_hash", &config.rpc_control_token_hash));
  if (!config.rpc_control_token.empty() && config.rpc_control_token.size() < 16) {
    return rpc.Error("control_token", "is shorter than 16 characters (make a random one with "
                                      "`asgard token new`)");
  }
  if (!config.rpc_control_token_hash.empty() &&
      !absl::StartsWith(config.rpc_control_token_hash, "$argon2id$")) {
    return rpc.Error("control_token_hash",
                     "is not an argon2id hash (expected the output of `asgard token hash`)");
  }
  ASSIGN_OR_RETURN(MapReader tls, rpc.Map("tls"));
  RETURN_IF_ERROR(tls.String("cert", &config.rpc_tls.cert));
  RETURN_IF_ERROR(tls.String("key", &config.rpc_tls.key));
  RETURN_IF_ERROR(tls.String("ca", &config.rpc_tls.ca));
  if (config.rpc_tls.cert.empty() != config.rpc_tls.key.empty()) {
    return tls.SelfError("cert and key must be given together (expected both paths or neither)");
  }
  return absl::OkStatus();
}

// web.jwt_secret and web.jwt_ttl were documented by the original but never read; they are still
// not, and saying so beats a silent acceptance that suggests they work.
void WarnUnusedJwtKeys(MapReader& web, const std::string& source,
                       std::vector<std::string>& warnings) {
  for (const char* key : {"jwt_secret", "jwt_ttl"}) {
    const bool given = web.Has(key);
    std::string ignored;
    web.String(key, &ignored).IgnoreError();  // only to mark it known; its value is not used
    if (!given) continue;
    warnings.push_back(absl::StrCat(web.PathOf(key), " in ", source,
                                    " is not used (ignored; as in the original, it was never"
                                    " configurable: sessions are signed with a generated secret)"));
  }
}

// "http(s)://host[:port]" exactly as a browser sends it in Origin: no path, no trailing slash.
bool IsOrigin(const std::string& text) {
  size_t scheme_end = text.find("://");
  if (scheme_end == std::string::npos) return false;
  std::string scheme = text.substr(0, scheme_end);
  std::string rest = text.substr(scheme_end + 3);
  if (scheme != "http" && scheme != "https") return false;
  if (rest.empty() || rest.find_first_of("/?#@ *") != std::string::npos) return false;
  return true;
}

absl::Status ReadWeb(MapReader& root, const std::string& source, Config& config,
                     std::vector<std::string>& warnings) {
  ASSIGN_OR_RETURN(MapReader web, root.Map("web"));
  WebConfig& w = config.web;
  RETURN_IF_ERROR(web.Port("port", &w.port, /*allow_zero=*/true));
  RETURN_IF_ERROR(web.String("ip", &w.ip));
  RETURN_IF_ERROR(web.String("mode", &w.mode));
  RETURN_IF_ERROR(web.String("domain", &w.domain));
  RETURN_IF_ERROR(web.String("cookie_salt", &w.cookie_salt));
  RETURN_IF_ERROR(web.String("static_dir", &w.static_dir));
  RETURN_IF_ERROR(web.StringList("cors_origins", &w.cors_origins));
  for (const std::string& origin : w.cors_origins) {
    if (!IsOrigin(origin)) {
      return web.Error("cors_origins",
                       absl::StrCat("'", origin,
                                    "' is not an origin (expected scheme://host[:port], such as "
                                    "https://ops.example.com, with no path; '*' is not allowed)"));
    }
  }
  RETURN_IF_ERROR(web.StringList("trusted_proxies", &w.trusted_proxies));
  for (const std::string& proxy : w.trusted_proxies) {
    if (auto network = ParseIpNetwork(proxy); !network.ok()) {
      return web.Error("trusted_proxies", network.status().message());
    }
  }
  RETURN_IF_ERROR(web.Int("max_connections", &w.max_connections, 16, 1000000, "connections"));
  RETURN_IF_ERROR(web.Int("max_connections_per_client", &w.max_connections_per_client, 1, 1000000,
                          "connections"));
  RETURN_IF_ERROR(web.Int("max_requests_per_user", &w.max_requests_per_user, 1, 100000,
                          "requests"));
  RETURN_IF_ERROR(web.Int("max_streams_per_user", &w.max_streams_per_user, 0, 100000, "streams"));
  RETURN_IF_ERROR(web.Int("header_timeout", &w.header_timeout, 1, 3600, "seconds"));
  RETURN_IF_ERROR(web.Int("idle_timeout", &w.idle_timeout, 1, 86400, "seconds"));
  if (w.cookie_salt == kOriginalCookieSalt) {
    w.cookie_salt.clear();
    warnings.push_back(absl::StrCat(
        "web.cookie_salt in ", source, " is the original's public default '", kOriginalCookieSalt,
        "': a random secret will be generated into ", config.runtime_dir, "/ and used instead"));
  }
  WarnUnusedJwtKeys(web, source, warnings);
  return absl::OkStatus();
}

absl::Status ReadEtcdAuth(MapReader& section, EtcdAuthConfig& auth) {
  RETURN_IF_ERROR(section.String("cluster_username", &auth.username));
  RETURN_IF_ERROR(section.String("cluster_password", &auth.password));
  RETURN_IF_ERROR(section.String("cluster_ca", &auth.ca));
  RETURN_IF_ERROR(section.String("cluster_cert", &auth.cert));
  RETURN_IF_ERROR(section.String("cluster_key", &auth.key));
  if (auth.cert.empty() != auth.key.empty()) {
    return section.Error(auth.cert.empty() ? "cluster_cert" : "cluster_key",
                         "cluster_cert and cluster_key go together (etcd's client certificate)");
  }
  if (!auth.password.empty() && auth.username.empty()) {
    return section.Error("cluster_username", "is empty but cluster_password is set");
  }
  return absl::OkStatus();
}

// The parts of an etcd key: '/' would move the key out of its place.
absl::Status RequireKeyPart(MapReader& section, const char* key, const std::string& value) {
  if (value.empty()) return section.Error(key, "is empty (cluster: true needs it)");
  if (value.find('/') != std::string::npos) {
    return section.Error(key, absl::StrCat("'", value, "' holds a '/' (it is part of etcd keys)"));
  }
  return absl::OkStatus();
}

// etcd endpoints: host:port, optionally after http:// or https://; checked here so that a typo
// stops the role before it opens its store or listens.
absl::Status RequireEndpoints(MapReader& section, const std::vector<std::string>& endpoints) {
  if (endpoints.empty()) {
    return section.Error("cluster_registry", "is empty (cluster: true needs the etcd endpoints)");
  }
  for (const std::string& raw : endpoints) {
    absl::string_view e = raw;
    if (!absl::ConsumePrefix(&e, "https://")) absl::ConsumePrefix(&e, "http://");
    while (absl::ConsumeSuffix(&e, "/")) {
    }
    size_t colon = e.rfind(':');
    int port = 0;
    if (e.empty() || colon == absl::string_view::npos || colon == 0 ||
        e.find('/') != absl::string_view::npos ||
        !absl::SimpleAtoi(e.substr(colon + 1), &port) || port < 1 || port > 65535) {
      return section.Error("cluster_registry",
                           absl::StrCat("'", raw, "' is not an etcd endpoint (host:port)"));
    }
  }
  return absl::OkStatus();
}

absl::Status ReadMasterCluster(MapReader& master, MasterConfig& m) {
  RETURN_IF_ERROR(master.Bool("cluster", &m.cluster));
  RETURN_IF_ERROR(master.StringList("cluster_registry", &m.cluster_registry));
  RETURN_IF_ERROR(master.String("cluster_name", &m.cluster_name));
  RETURN_IF_ERROR(master.String("cluster_id", &m.cluster_id));
  RETURN_IF_ERROR(master.String("cluster_ip", &m.cluster_ip));
  RETURN_IF_ERROR(ReadEtcdAuth(master, m.cluster_auth));
  // etcd 3.4 raises shorter leases to about 2 s anyway; a long one only delays failover.
  RETURN_IF_ERROR(master.Int("cluster_ttl", &m.cluster_ttl, 2, 60, "seconds"));
  if (!m.cluster) return absl::OkStatus();
  RETURN_IF_ERROR(RequireEndpoints(master, m.cluster_registry));
  RETURN_IF_ERROR(RequireKeyPart(master, "cluster_name", m.cluster_name));
  RETURN_IF_ERROR(RequireKeyPart(master, "cluster_id", m.cluster_id));
  if (m.cluster_ip.empty() && (m.ip.empty() || m.ip == "0.0.0.0" || m.ip == "::")) {
    return master.Error("cluster_ip", absl::StrCat("is empty and master.ip is '", m.ip,
                                                   "': set the address agents dial (it goes "
                                                   "into etcd)"));
  }
  return absl::OkStatus();
}

absl::Status ReadMaster(MapReader& root, Config& config) {
  ASSIGN_OR_RETURN(MapReader master, root.Map("master"));
  MasterConfig& m = config.master;
  RETURN_IF_ERROR(master.String("ip", &m.ip));
  RETURN_IF_ERROR(master.Port("port", &m.port, /*allow_zero=*/true));
  RETURN_IF_ERROR(master.Int("moniter", &m.moniter, 1, kMaxIntervalSeconds, "seconds"));
  RETURN_IF_ERROR(master.Bool("notify", &m.notify));
  RETURN_IF_ERROR(master.String("receiver", &m.receiver));
  RETURN_IF_ERROR(ReadMasterCluster(master, m));
  RETURN_IF_ERROR(master.Int("retention", &m.retention, 0, 1200, "months"));
  RETURN_IF_ERROR(master.String("webhook", &m.webhook));
  if (!m.webhook.empty() && !absl::StartsWith(m.webhook, "http://") &&
      !absl::StartsWith(m.webhook, "https://")) {
    return master.Error("webhook", absl::StrCat("'", m.webhook,
                                                "' is not a URL (expected"
                                                " http://... or https://...)"));
  }
  RETURN_IF_ERROR(
      master.OneOf("webhook_type", &m.webhook_type, {"generic", "dingtalk", "wecom", "feishu"}));
  RETURN_IF_ERROR(master.Int("notify_throttle", &m.notify_throttle, 0, 86400, "seconds"));
  return master.OptionalPort("metrics_port", &m.metrics_port, /*allow_zero=*/true);
}

absl::Status ReadAgentMaster(MapReader& agent, AgentConfig& a) {
  ASSIGN_OR_RETURN(MapReader master, agent.Map("master"));
  RETURN_IF_ERROR(master.String("ip", &a.master_ip));
  RETURN_IF_ERROR(master.Port("port", &a.master_port, /*allow_zero=*/false));
  RETURN_IF_ERROR(master.Bool("cluster", &a.master_cluster));
  RETURN_IF_ERROR(master.StringList("cluster_registry", &a.master_cluster_registry));
  RETURN_IF_ERROR(master.String("cluster_name", &a.master_cluster_name));
  RETURN_IF_ERROR(ReadEtcdAuth(master, a.master_cluster_auth));
  if (!a.master_cluster) return absl::OkStatus();
  RETURN_IF_ERROR(RequireEndpoints(master, a.master_cluster_registry));
  return RequireKeyPart(master, "cluster_name", a.master_cluster_name);
}

// agent.task_uid_range: "FIRST-LAST", or "off". Kept clear of the system accounts, of nobody
// and of systemd's DynamicUser range, which other services take uids from at run time.
absl::Status ReadUidRange(MapReader& agent, std::optional<AgentConfig::UidRange>* out) {
  std::optional<std::string> text;
  RETURN_IF_ERROR(agent.OptionalString("task_uid_range", &text));
  if (!text) return absl::OkStatus();
  if (*text == "off") {
    out->reset();
    return absl::OkStatus();
  }
  auto fail = [&](const std::string& why) {
    return agent.Error("task_uid_range", absl::StrCat("'", *text, "' ", why));
  };
  auto dash = text->find('-');
  if (dash == std::string::npos) return fail("is not FIRST-LAST (e.g. 1900000000-1900999999) or off");
  auto first = ParseInteger(text->substr(0, dash), 1, 4294967294LL);
  auto last = ParseInteger(text->substr(dash + 1), 1, 4294967294LL);
  if (!first.ok() || !last.ok()) return fail("is not FIRST-LAST with uids 1..4294967294");
  if (*last < *first + 99) return fail("holds fewer than 100 uids");
  if (*first < 1000) return fail("overlaps the system accounts (uids below 1000)");
  if (*first <= 65535 && *last >= 61184) {
    return fail("overlaps systemd's DynamicUser range 61184-65519 or nobody (65534)");
  }
  *out = AgentConfig::UidRange{static_cast<uint32_t>(*first), static_cast<uint32_t>(*last)};
  return absl::OkStatus();
}

absl::Status ReadAgent(MapReader& root, Config& config) {
  ASSIGN_OR_RETURN(MapReader agent, root.Map("agent"));
  AgentConfig& a = config.agent;
  ASSIGN_OR_RETURN(MapReader rpc, agent.Map("rpc"));
  RETURN_IF_ERROR(rpc.String("ip", &a.rpc_ip));
  RETURN_IF_ERROR(rpc.Port("port", &a.rpc_port, /*allow_zero=*/true));
  RETURN_IF_ERROR(agent.Int("moniter", &a.moniter, 1, kMaxIntervalSeconds, "seconds"));
  RETURN_IF_ERROR(ReadAgentMaster(agent, a));
  RETURN_IF_ERROR(agent.OptionalString("task_user", &a.task_user));
  RETURN_IF_ERROR(ReadUidRange(agent, &a.task_uid_range));
  RETURN_IF_ERROR(agent.String("task_home", &a.task_home));
  if (a.task_home.empty() || a.task_home[0] != '/') {
    return agent.Error("task_home", absl::StrCat("'", a.task_home,
                                                 "' is not an absolute path (expected a directory "
                                                 "such as /var/lib/asgard/home)"));
  }
  RETURN_IF_ERROR(agent.Int("task_nproc", &a.task_nproc, 16, 1 << 22, "processes"));
  return agent.OptionalPort("metrics_port", &a.metrics_port, /*allow_zero=*/true);
}

absl::Status ReadSystemAndLegacyLog(MapReader& root, Config& config) {
  ASSIGN_OR_RETURN(MapReader system, root.Map("system"));
  RETURN_IF_ERROR(system.Int("moniter", &config.system.moniter, 1, kMaxIntervalSeconds, "seconds"));
  RETURN_IF_ERROR(system.Int("timer", &config.system.timer, 1, kMaxIntervalSeconds, "seconds"));
  ASSIGN_OR_RETURN(MapReader log, root.Map("log"));
  return log.String("dir", &config.web_log_dir);
}

absl::Status ReadDocument(MapReader& root, const std::string& source, LoadedConfig& out) {
  Config& config = out.config;
  RETURN_IF_ERROR(root.String("runtime_dir", &config.runtime_dir));
  if (config.runtime_dir.empty()) {
    return root.Error("runtime_dir", "'' is not a directory (expected a path such as runtime)");
  }
  RETURN_IF_ERROR(ReadRpc(root, config));
  RETURN_IF_ERROR(ReadWeb(root, source, config, out.warnings));
  RETURN_IF_ERROR(ReadMaster(root, config));
  RETURN_IF_ERROR(ReadAgent(root, config));
  RETURN_IF_ERROR(ReadSystemAndLegacyLog(root, config));
  RETURN_IF_ERROR(internal::ReadComponents(root, source, config, out.warnings));
  return internal::ReadTaskLists(root, config);
}

absl::StatusOr<YAML::Node> ParseYaml(const std::string& text) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return absl::InvalidArgumentError(absl::StrCat("malformed YAML at line ", e.mark.line + 1,
                                                   ", column ", e.mark.column + 1, ": ", e.msg));
  }
}

absl::StatusOr<LoadedConfig> ParseDocument(const std::string& yaml_text,
                                           const std::string& source) {
  ASSIGN_OR_RETURN(YAML::Node document, ParseYaml(yaml_text));
  KeyLog log;
  ASSIGN_OR_RETURN(MapReader root, MapReader::Create(document, "", log));
  LoadedConfig loaded;
  RETURN_IF_ERROR(ReadDocument(root, source, loaded));
  for (const std::string& path : log.Unread()) {
    loaded.warnings.push_back(absl::StrCat("unknown key '", path, "' in ", source, " (ignored)"));
  }
  return loaded;
}

// POSIX reads rather than a stream, so that the error is the errno text (EACCES, EISDIR, ...).
absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  // O_NONBLOCK: opening a FIFO for reading would wait for a writer forever.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) {
    if (errno == ENOENT) return absl::NotFoundError(absl::StrCat(path, ": no such file"));
    return ErrnoStatus(path);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus(path);
  if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode) ||
      S_ISBLK(st.st_mode)) {  // a directory is refused by read() with its own errno
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a regular file"));
  }
  std::string text;
  char buffer[8192];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof(buffer));
    if (n == 0) return text;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus(path);
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > kMaxFileBytes) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": larger than 64 MiB, not a config"));
    }
  }
}

}  // namespace

absl::StatusOr<LoadedConfig> ParseConfig(const std::string& yaml_text, const std::string& source) {
  absl::StatusOr<LoadedConfig> loaded;
  try {
    loaded = ParseDocument(yaml_text, source);
  } catch (const YAML::Exception& e) {
    // The reader only uses calls that do not throw on a loaded document; this is the backstop
    // that keeps a yaml-cpp surprise from escaping the module.
    loaded = absl::InternalError(absl::StrCat("reading YAML: ", e.what()));
  }
  if (loaded.ok()) return loaded;
  return absl::Status(loaded.status().code(),
                      absl::StrCat(source, ": ", loaded.status().message()));
}

absl::StatusOr<LoadedConfig> LoadConfigFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadWholeFile(path));
  return ParseConfig(text, path);
}

}  // namespace asgard::config
