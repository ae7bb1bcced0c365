// `component:` of app.yaml, the avenger library's section in the original: maps keyed by an
// instance name (Asgard itself uses "asgard") for db, redis and mail, and the log settings.
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "config/config.h"
#include "config/sections.h"
#include "config/yaml_reader.h"

namespace asgard::config::internal {
namespace {

absl::Status ReadDb(MapReader& db, DbConfig& out) {
  RETURN_IF_ERROR(db.String("host", &out.host));
  RETURN_IF_ERROR(db.Port("port", &out.port, /*allow_zero=*/false));
  RETURN_IF_ERROR(db.String("user", &out.user));
  RETURN_IF_ERROR(db.String("password", &out.password));
  RETURN_IF_ERROR(db.String("database", &out.database));
  RETURN_IF_ERROR(db.String("path", &out.path));
  // An original file names a MySQL host and no driver; a new one may name neither (SQLite).
  out.driver = out.host.empty() ? "sqlite" : "mysql";
  return db.OneOf("driver", &out.driver, {"sqlite", "mysql"});
}

absl::Status ReadRedis(MapReader& redis, RedisConfig& out) {
  RETURN_IF_ERROR(redis.String("host", &out.host));
  RETURN_IF_ERROR(redis.Port("port", &out.port, /*allow_zero=*/false));
  RETURN_IF_ERROR(redis.String("password", &out.password));
  return redis.Int("db", &out.db, 0, 1 << 16);
}

absl::Status ReadMail(MapReader& mail, const std::string& source, MailConfig& out,
                      std::vector<std::string>& warnings) {
  RETURN_IF_ERROR(mail.String("host", &out.host));
  RETURN_IF_ERROR(mail.Port("port", &out.port, /*allow_zero=*/false));
  RETURN_IF_ERROR(mail.String("user", &out.user));
  RETURN_IF_ERROR(mail.String("password", &out.password));
  RETURN_IF_ERROR(mail.Bool("tls", &out.tls));
  RETURN_IF_ERROR(mail.Bool("insecure_skip_verify", &out.insecure_skip_verify));
  RETURN_IF_ERROR(mail.String("ca", &out.ca));
  if (!out.password.empty() && !out.tls && out.port != 465) {
    warnings.push_back(absl::StrCat(
        mail.PathOf("password"), " is set in ", source, " but ", mail.PathOf("tls"),
        " is false: the login goes in the clear to a server that offers no STARTTLS"
        " (set tls: true to require TLS)"));
  }
  if (out.insecure_skip_verify) {
    warnings.push_back(absl::StrCat(mail.PathOf("insecure_skip_verify"), " is true in ", source,
                                    ": the mail server's certificate will not be verified"
                                    " (use this only with a test server)"));
  }
  return absl::OkStatus();
}

// Calls `read(instance_reader, map[name])` for every instance under `component.<kind>`.
template <typename T, typename ReadFn>
absl::Status ReadInstances(MapReader& component, const char* kind, std::map<std::string, T>& map,
                           ReadFn read) {
  ASSIGN_OR_RETURN(MapReader instances, component.Map(kind));
  for (const std::string& name : instances.Keys()) {
    ASSIGN_OR_RETURN(MapReader instance, instances.Map(name));
    RETURN_IF_ERROR(read(instance, map[name]));
  }
  return absl::OkStatus();
}

absl::Status ReadLog(MapReader& component, LogConfig& out) {
  ASSIGN_OR_RETURN(MapReader log, component.Map("log"));
  RETURN_IF_ERROR(log.OneOf("level", &out.level, {"debug", "info", "warn", "error"}));
  RETURN_IF_ERROR(log.String("dir", &out.dir));
  return log.Bool("console", &out.console);
}

}  // namespace

absl::Status ReadComponents(MapReader& root, const std::string& source, Config& config,
                            std::vector<std::string>& warnings) {
  ASSIGN_OR_RETURN(MapReader component, root.Map("component"));
  RETURN_IF_ERROR(ReadInstances(component, "db", config.db, ReadDb));
  RETURN_IF_ERROR(ReadInstances(component, "redis", config.redis, ReadRedis));
  RETURN_IF_ERROR(ReadInstances(
      component, "mail", config.mail,
      [&](MapReader& mail, MailConfig& out) { return ReadMail(mail, source, out, warnings); }));
  return ReadLog(component, config.log);
}

}  // namespace asgard::config::internal
