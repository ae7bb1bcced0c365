#include "web/web_api.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/absl_fmt.h"
#include "common/printable.h"
#include "rpc/credentials.h"
#include "rpc/endpoint.h"
#include "rpc/task_definition.h"
#include "spdlog/spdlog.h"
#include "web/field_limits.h"

namespace asgard::web {
namespace {

// The user a login name stands for: every key is asked, so that an unknown name costs the
// same queries as a known one.
absl::StatusOr<store::User> FindByLogin(store::Store& store, const std::string& name) {
  absl::StatusOr<store::User> found = absl::NotFoundError("no such user");
  for (auto key : {store::UserKey::kNickname, store::UserKey::kEmail, store::UserKey::kMobile}) {
    auto user = store.FindUser(key, name);
    if (user.ok() && !found.ok()) found = std::move(user);
  }
  return found;
}

// Routes a user who must still change the initial password may call.
bool AllowedBeforePasswordChange(const std::string& path) {
  return path == "/api/v1/auth/info" || path == "/api/v1/auth/logout" ||
         path == "/api/v1/auth/change_password";
}

v1::TaskRef RefOf(const store::Task& task) {
  v1::TaskRef ref;
  ref.set_kind(static_cast<v1::TaskKind>(task.kind));
  ref.set_id(task.id);
  return ref;
}

// component.redis.asgard as the Redis client takes it, or nullopt when it is not configured.
std::optional<redis::Options> RedisOptionsOf(const config::Config& config) {
  auto it = config.redis.find("asgard");
  if (it == config.redis.end()) return std::nullopt;
  redis::Options o;
  o.host = it->second.host.empty() ? "127.0.0.1" : it->second.host;
  o.port = it->second.port;
  o.password = it->second.password;
  o.db = it->second.db;
  return o;
}

std::unique_ptr<redis::Client> RedisClientOf(const config::Config& config) {
  std::optional<redis::Options> options = RedisOptionsOf(config);
  if (!options) return nullptr;
  auto client = std::make_unique<redis::Client>(*options);
  if (absl::Status s = client->Ping(); s.ok()) {
    spdlog::info("redis {}: reachable; login limits are counted and list and session caches "
                 "emptied across web nodes (keys {}*, no TLS with hiredis 0.14)",
                 redis::Describe(*options), redis::kKeyPrefix);
  } else {
    spdlog::warn("redis {} (component.redis.asgard) does not answer: {}; working on the store "
                 "alone (caches bounded by {} s, login limits per node) until it does",
                 redis::Describe(*options), s.message(), kSessionCacheTtl.count());
  }
  return client;
}

}  // namespace

ClientAddresses ClientsOf(const config::Config& config) {
  auto clients = ClientAddresses::Create(config.web.trusted_proxies);
  if (clients.ok()) return *std::move(clients);
  spdlog::error("web.trusted_proxies: {} (no proxy is trusted)", clients.status().message());
  return *ClientAddresses::Create({});
}

absl::StatusOr<int64_t> ParseCount(const std::string& text, const std::string& field) {
  if (text.empty()) return absl::InvalidArgumentError(field + ": is required");
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return absl::InvalidArgumentError(absl::StrCat(field, ": '", Printable(text.substr(0, 40)),
                                                     "' is not a positive integer"));
    }
    v = v > (INT64_MAX - 9) / 10 ? INT64_MAX : v * 10 + (c - '0');
  }
  return v;
}

absl::StatusOr<int64_t> ParseId(const std::string& text, const std::string& field) {
  auto v = ParseCount(text, field);
  if (v.ok() && (*v < 1 || *v > kMaxId)) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", text.substr(0, 40), " is out of range 1..", kMaxId));
  }
  return v;
}

std::string WebApi::Call::Param(const std::string& name) const { return req.Param(name); }

std::string WebApi::Call::Match(size_t i) const {
  return i < req.matches.size() ? req.matches[i] : "";
}

WebApi::WebApi(store::Store& store, const config::Config& config, std::string secret,
               std::string control_token)
    : store_(store),
      config_(config),
      redis_(RedisClientOf(config)),
      sessions_(store, std::move(secret), std::chrono::hours(12), &std::chrono::system_clock::now,
                &std::chrono::steady_clock::now,
                [this](const std::string& hash, int64_t user_id) {
                  if (!bus_) return;
                  if (hash.empty()) {
                    bus_->UserSessionsRevoked(user_id);
                  } else {
                    bus_->SessionRevoked(hash);
                  }
                }),
      clients_(ClientsOf(config)),
      logins_([&store](const std::string& name) { return FindByLogin(store, name); },
              &std::chrono::steady_clock::now, CredentialCheck::DefaultParallel(), redis_.get()),
      session_users_([&store](int64_t id) { return store.GetUser(id); }),
      agents_(config, std::move(control_token)),
      zone_(absl::LocalTimeZone()),
      user_limits_(config.web.max_requests_per_user, config.web.max_streams_per_user),
      monitor_points_(store, zone_),
      tasks_(store, *this),
      live_(store, agents_, zone_) {
  JoinBus();
}

void WebApi::JoinBus() {
  std::optional<redis::Options> options = RedisOptionsOf(config_);
  if (!options || !redis_) return;
  NodeBus::Handlers on;
  on.lists_changed = [this] { ++announced_writes_; };
  on.session_revoked = [this](const std::string& hash) { sessions_.ForgetHash(hash); };
  on.user_sessions_revoked = [this](int64_t id) {
    sessions_.ForgetUser(id);
    session_users_.Invalidate(id);
  };
  on.user_changed = [this](int64_t id) { session_users_.Invalidate(id); };
  on.missed = [this] {
    ++announced_writes_;
    sessions_.ForgetAll();
  };
  bus_ = std::make_unique<NodeBus>(*redis_, *options, std::move(on));
}

void WebApi::UserChanged(int64_t user_id) {
  session_users_.Invalidate(user_id);
  if (bus_) bus_->UserChanged(user_id);
}

void WebApi::Install(http::Router& server, const std::string& static_dir) {
  InstallAuth(server);
  InstallUsers(server);
  InstallAgentsAndGroups(server);
  InstallTasks(server);
  InstallReports(server);
  InstallLive(server);
  InstallMisc(server);
  InstallStatic(server, static_dir);
}

std::optional<std::string> WebApi::TokenOf(const http::Request& req) const {
  if (auto token = TokenFromAuthorization(req.Header("Authorization"))) return token;
  std::string cookies = req.Header("Cookie");
  std::string key = std::string(kSessionCookie) + "=";
  for (size_t pos = 0; pos < cookies.size();) {
    size_t end = cookies.find(';', pos);
    if (end == std::string::npos) end = cookies.size();
    std::string part = cookies.substr(pos, end - pos);
    size_t start = part.find_first_not_of(' ');
    if (start != std::string::npos && part.compare(start, key.size(), key) == 0) {
      return part.substr(start + key.size());
    }
    pos = end + 1;
  }
  return std::nullopt;
}

void WebApi::Send(http::Response& res, ApiResult result) {
  std::string text;
  if (!result.data_json.empty()) {
    text.reserve(result.data_json.size() + result.message.size() + 40);
    JsonWriter w(&text);  // the envelope's keys in the order nlohmann prints them
    w.BeginObject();
    w.Key("code");
    w.Int(result.code);
    w.Key("data");
    w.Raw(result.data_json);
    w.Key("message");
    w.String(result.message);
    w.EndObject();
  } else {
    // Moved in, not listed in an initializer (which would copy the whole tree of data).
    Json body = Json::object();
    body["code"] = result.code;
    body["message"] = std::move(result.message);
    body["data"] = std::move(result.data);
    text = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  }
  res.status = result.code;
  res.SetContent(std::move(text), "application/json");
  std::lock_guard<std::mutex> lock(metrics_mu_);
  ++responses_by_code_[result.code];
}

void WebApi::Route(http::Router& router, const std::string& method, const std::string& pattern,
                   Access access, Handler handler, http::RunOn run_on) {
  auto wrapped = [this, access, handler](const http::Request& req, http::Response& res) {
    Call call{req, res, std::nullopt, "", {}};
    if (access != Access::kPublic) {
      auto token = TokenOf(req);
      if (!token) {
        ++requests_;
        return Send(res, Fail(401, "not logged in (or the session expired)"));
      }
      // The store is read on a worker only; an I/O thread answers from the cache or hands over.
      std::optional<absl::StatusOr<Session>> session = sessions_.CheckCached(*token);
      if (!session) {
        if (req.on_io_thread) {
          res.needs_worker = true;
          return;
        }
        session = sessions_.Check(*token);
      }
      if (!session->ok()) {
        ++requests_;
        return Send(res, FromStatus(session->status()));  // 401, or 503 when the store is down
      }
      absl::StatusOr<store::User> user = absl::NotFoundError("");
      if (!req.on_io_thread) {
        user = session_users_.Get((*session)->user_id);
      } else if (auto known = session_users_.Peek((*session)->user_id)) {
        user = *std::move(known);
      } else {
        res.needs_worker = true;
        return;
      }
      if ((!user.ok() || user->status != 1) && req.on_io_thread) {
        res.needs_worker = true;  // the revocation below writes to the store
        return;
      }
      ++requests_;
      if (!user.ok() || user->status != 1) {
        if (absl::Status s = sessions_.RevokeUser((*session)->user_id); !s.ok()) {
          spdlog::warn("web sessions: revoking the sessions of user {}: {}", (*session)->user_id,
                       s.message());
        }
        return Send(res, Fail(401, "this account cannot log in"));
      }
      if (user->must_change_password && !AllowedBeforePasswordChange(req.path)) {
        return Send(res, Forbidden("change the initial password first "
                                   "(POST /api/v1/auth/change_password)"));
      }
      if (access == Access::kAdmin && user->role != "Administrator") {
        return Send(res, Forbidden("only administrators can do this"));
      }
      call.user = std::move(*user);
      call.token = *token;
      call.session = **session;
    } else {
      ++requests_;
    }
    // One user's scripted loop or open tabs must not take every worker from the others.
    std::optional<UserLimits::Slot> slot =
        call.user ? user_limits_.TakeRequest(call.user->id) : std::nullopt;
    if (call.user) {
      if (!slot) {
        res.SetHeader("Retry-After", "1");
        return Send(res, Fail(429, absl::StrCat("this user has ", config_.web.max_requests_per_user,
                                               " requests in progress, the most one user may have "
                                               "(web.max_requests_per_user); try again")));
      }
    }
    // A write through this node empties the list caches of the others (NodeBus); GETs write
    // nothing a list shows, and heartbeats and reports never pass here.
    const bool may_write = bus_ && req.method != "GET" && req.method != "HEAD";
    const uint64_t writes_before = may_write ? store_.WriteCount() : 0;
    ApiResult result;
    try {
      result = handler(call);
    } catch (const std::exception& e) {
      spdlog::error("{} {}: {}", req.method, req.path, e.what());
      result = Fail(500, "internal error; see the web node's log");
    }
    if (result.code == kNeedsWorker) {
      --requests_;  // counted when it runs again
      res.needs_worker = true;
      return;
    }
    if (may_write && store_.WriteCount() != writes_before) bus_->ListsChanged();
    if (result.code != 0) Send(res, std::move(result));  // 0: the handler answered (SSE)
  };
  router.Add(method, "/api/v1" + pattern, std::move(wrapped), run_on);
}

absl::StatusOr<store::Task> WebApi::LoadTask(const Call& call, store::TaskKind kind, int64_t id) {
  static const store::User kNobody;  // a public route's caller: sees no task
  return tasks_.Load(call.user ? *call.user : kNobody, kind, id);
}

std::string WebApi::AgentName(const store::Agent& a) const {
  std::string address = absl::StrCat(a.ip, ":", a.port);
  return a.alias.empty() ? address : absl::StrCat(a.alias, " (", address, ")");
}

Json WebApi::TaskJson(const store::Task& task, NameCache* cache) {
  return TaskToJson(task, NamesOf(task, cache), zone_, NextRunOf(task));
}

std::optional<absl::Time> WebApi::NextRunOf(const store::Task& task) {
  return next_runs_.Of(task, absl::Now());
}

TaskNames WebApi::NamesOf(const store::Task& task, NameCache* cache) {
  NameCache local;
  NameCache& names_seen = cache ? *cache : local;
  TaskNames names;
  auto agent_it = names_seen.agents.find(task.input.agent_id);
  if (agent_it == names_seen.agents.end()) {
    auto agent = store_.GetAgent(task.input.agent_id);
    agent_it = names_seen.agents.emplace(task.input.agent_id, agent.ok() ? AgentName(*agent) : "")
                   .first;
  }
  names.agent_name = agent_it->second;
  if (task.input.group_id > 0) {
    auto group_it = names_seen.groups.find(task.input.group_id);
    if (group_it == names_seen.groups.end()) {
      auto group = store_.GetGroup(task.input.group_id);
      group_it = names_seen.groups.emplace(task.input.group_id, group.ok() ? group->name : "")
                     .first;
    }
    names.group_name = group_it->second;
  }
  return names;
}

WebApi::NameCache WebApi::PrefetchNames(const std::vector<store::Task>& tasks) {
  std::vector<int64_t> agent_ids, group_ids;
  for (const store::Task& t : tasks) {
    agent_ids.push_back(t.input.agent_id);
    if (t.input.group_id > 0) group_ids.push_back(t.input.group_id);
  }
  NameCache names;
  if (auto agents = store_.GetAgents(agent_ids); agents.ok()) {
    for (int64_t id : agent_ids) {
      auto it = agents->find(id);
      names.agents.emplace(id, it == agents->end() ? "" : AgentName(it->second));
    }
  }
  if (auto groups = store_.GetGroups(group_ids); groups.ok()) {
    for (int64_t id : group_ids) {
      auto it = groups->find(id);
      names.groups.emplace(id, it == groups->end() ? "" : it->second.name);
    }
  }
  return names;
}

absl::Status WebApi::PushDefinition(const store::Task& task) {
  auto agent = store_.GetAgent(task.input.agent_id);
  if (!agent.ok()) return agent.status();
  rpc::OwnerRoles roles(store_);
  v1::TaskDefinition def = rpc::ToDefinition(task, roles.Of(task.creator));
  return agents_.Call(*agent, &v1::Agent::Stub::Add, def).status();
}

int WebApi::PushRechecked(const std::vector<store::TaskRef>& tasks) {
  int not_pushed = 0;
  for (const store::TaskRef& ref : tasks) {
    auto task = store_.GetTask(ref.kind, ref.id);
    if (!task.ok() || !PushDefinition(*task).ok()) ++not_pushed;
  }
  return not_pushed;
}

bool WebApi::InClear(const store::Agent& agent) const {
  return !rpc::TlsEnabled(config_.rpc_tls) && !rpc::IsLoopback(agent.ip);
}

Json WebApi::HealthWarnings() {
  Json warnings = Json::array();
  if (auto agents = store_.ListAgents(); agents.ok()) {
    int in_clear = 0;
    for (const store::Agent& a : *agents) {
      if (!a.forbidden() && InClear(a)) ++in_clear;
    }
    if (in_clear > 0) {
      warnings.push_back(absl::StrCat(rpc::InClearWarning("web"), " (", in_clear,
                                      in_clear == 1 ? " agent)" : " agents)"));
    }
  }
  int imported = 0;
  for (auto kind : {store::TaskKind::kApp, store::TaskKind::kJob, store::TaskKind::kTiming}) {
    if (auto tasks = store_.ListImportedRootTasks(kind); tasks.ok()) imported += tasks->size();
  }
  if (imported > 0) {
    warnings.push_back(absl::StrCat(
        imported, " tasks imported from the original Asgard ran as root there and now run as "
                  "their owners' own identity (imported_root in the task lists)"));
  }
  return warnings;
}

absl::Status WebApi::PushRemove(const store::Task& task, int64_t agent_id) {
  auto agent = store_.GetAgent(agent_id);
  if (!agent.ok()) return agent.status();
  auto r = agents_.Call(*agent, &v1::Agent::Stub::Remove, RefOf(task));
  if (absl::IsNotFound(r.status())) return absl::OkStatus();  // the agent did not have it
  return r.status();
}

absl::Status WebApi::Restart(const store::Task& task) {
  auto agent = store_.GetAgent(task.input.agent_id);
  if (!agent.ok()) return agent.status();
  return agents_.Call(*agent, &v1::Agent::Stub::Restart, RefOf(task)).status();
}

absl::Status WebApi::Trigger(const store::Task& task) {
  auto agent = store_.GetAgent(task.input.agent_id);
  if (!agent.ok()) return agent.status();
  return agents_.Call(*agent, &v1::Agent::Stub::Trigger, RefOf(task)).status();
}

void WebApi::LogOperation(const Call& call, int type, int64_t related_id, int action) {
  store::Operation op;
  op.user_id = call.user_id();
  op.type = type;
  op.related_id = related_id;
  op.action = action;
  op.created_at = absl::Now();
  if (auto s = store_.InsertOperation(op); !s.ok()) {
    spdlog::warn("operation log: {}", s.status());
  }
}

absl::StatusOr<std::pair<int, int>> WebApi::Paging(const Call& call) const {
  int page = 1;
  int size = 20;
  if (std::string p = call.Param("page"); !p.empty()) {
    auto v = ParseCount(p, "page");
    if (!v.ok() || *v < 1) return absl::InvalidArgumentError("page: must be an integer >= 1");
    page = static_cast<int>(std::min<int64_t>(*v, 1000000));
  }
  if (std::string s = call.Param("page_size"); !s.empty()) {
    auto v = ParseCount(s, "page_size");
    if (!v.ok()) return absl::InvalidArgumentError("page_size: must be a positive integer");
    size = static_cast<int>(std::clamp<int64_t>(*v, 1, 200));
  }
  return std::make_pair(page, size);
}

Json WebApi::PageJson(Json list, int64_t total, int page, int size) {
  return {{"list", std::move(list)}, {"total", total}, {"page", page}, {"page_size", size}};
}

absl::StatusOr<Json> WebApi::Body(const Call& call) const {
  const std::string type = call.req.Header("Content-Type");
  if (type.find("application/x-www-form-urlencoded") != std::string::npos) {
    // The form's fields, then the query's where the form has none (the original read both).
    Json out = Json::object();
    for (auto& [k, v] : http::ParseQuery(call.req.body)) {
      if (!out.contains(k)) out[k] = std::move(v);
    }
    for (const auto& [k, v] : call.req.params) {
      if (!out.contains(k)) out[k] = v;
    }
    return out;
  }
  if (call.req.body.empty()) return Json::object();
  Json body = Json::parse(call.req.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return absl::InvalidArgumentError("body: not valid JSON");
  if (!body.is_object()) return absl::InvalidArgumentError("body: must be a JSON object");
  return body;
}

}  // namespace asgard::web
