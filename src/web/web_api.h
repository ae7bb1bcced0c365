// File: web_api.h
// The REST API of the web node (`/api/v1`, API.md) over the store, pushing every change to the
// agent concerned at once and writing the operation log. One Route() wrapper does what every
// route shares: the session (cookie or Authorization token, kept in the store and cached for at
// most a second, see sessions.h) and its user (cached for a second, see user_cache.h), the
// forced change of an initial password, the admin check, the envelope, real
// HTTP status codes, and metrics.
//
//   WebApi api(store, config, secret, control_token);
//   http::Router router;
//   api.Install(router, static_dir);
//   http::Server server(router, LimitsOf(config));
//
// The interface is Install and UseLocalAgent; everything else (the routes' shared helpers, the
// sessions, caches and clients) is private to the route files (routes_*.cc), and the rules of
// tasks live in TaskControl (task_control.h), testable without HTTP.
//
// Thread-safety: handlers run on the HTTP front's worker threads at once (a few memory-only ones
// on its I/O threads); the store, the sessions and the agent clients are thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "config/config.h"
#include "redis/client.h"
#include "http/message.h"
#include "http/router.h"
#include "http/server.h"
#include "http/static_files.h"
#include "store/store.h"
#include "web/agent_clients.h"
#include "web/api_result.h"
#include "web/client_address.h"
#include "web/login_gate.h"
#include "web/monitor_points.h"
#include "web/live_feeds.h"
#include "web/next_runs.h"
#include "web/node_bus.h"
#include "web/response_cache.h"
#include "web/sessions.h"
#include "web/task_control.h"
#include "web/task_json.h"
#include "web/user_cache.h"
#include "web/user_limits.h"

namespace asgard::web {

inline constexpr char kSessionCookie[] = "asgard_session";

class WebApi final : private TaskAgents {
 public:
  // `control_token`: the credential of control calls to agents (rpc/credentials.h).
  WebApi(store::Store& store, const config::Config& config, std::string secret,
         std::string control_token);

  // /api/v1 routes, /health, /metrics, and the console's files from `static_dir` (with the
  // single-page-app fallback; "" = no console: `/` says how to build it).
  void Install(http::Router& router, const std::string& static_dir);
  // Where /metrics reads the HTTP front's connections, streams and refusals.
  void ReportServer(std::function<http::ServerStats()> stats) { server_stats_ = std::move(stats); }
  // `asgard all`: its own agent, reached in process.
  void UseLocalAgent(const std::string& address, std::shared_ptr<grpc::Channel> channel) {
    agents_.UseChannelFor(address, std::move(channel));
  }

  WebApi(const WebApi&) = delete;
  WebApi& operator=(const WebApi&) = delete;

 private:
  enum class Access { kPublic, kUser, kAdmin };

  // What a handler knows about the call.
  struct Call {
    const http::Request& req;
    http::Response& res;
    std::optional<store::User> user;
    std::string token;
    Session session;  // of `token` (for routes that need a login)
    bool admin() const { return user && user->role == "Administrator"; }
    // On an I/O thread: only what memory holds may be answered (see Route).
    bool memory_only() const { return req.on_io_thread; }
    int64_t user_id() const { return user ? user->id : 0; }
    std::string Param(const std::string& name) const;
    // Path captures of the route's regex, from 1.
    std::string Match(size_t i) const;
  };
  using Handler = std::function<ApiResult(Call&)>;

  // `run_on` kIoThread: the route is tried on an I/O thread first, where it answers only from
  // memory (a cached page, a recently loaded user) and returns NeedsWorker() otherwise.
  void Route(http::Router& router, const std::string& method, const std::string& pattern,
             Access access, Handler handler, http::RunOn run_on = http::RunOn::kWorkers);
  void Send(http::Response& res, ApiResult result);
  std::optional<std::string> TokenOf(const http::Request& req) const;
  // What the list caches compare (response_cache.h): this node's store writes plus the writes
  // other nodes announced over Redis, so that either empties them.
  uint64_t ListWrites() const { return store_.WriteCount() + announced_writes_.load(); }
  // A user was changed through this node: forgets the cached user here and tells the others.
  void UserChanged(int64_t user_id);
  // Redis's bus and its handlers (component.redis.asgard), when configured.
  void JoinBus();

  // Route groups (one file each).
  void InstallAuth(http::Router& s);
  void InstallUsers(http::Router& s);
  void InstallAgentsAndGroups(http::Router& s);
  void InstallTasks(http::Router& s);
  void InstallReports(http::Router& s);
  void InstallLive(http::Router& s);
  void InstallMisc(http::Router& s);
  void InstallStatic(http::Router& s, const std::string& static_dir);

  // Helpers the route files share.
  // The task if the caller may see it: NotFound (also deleted ones), PermissionDenied for
  // another user's task.
  absl::StatusOr<store::Task> LoadTask(const Call& call, store::TaskKind kind, int64_t id);
  // The answer to a stored change of a task: its JSON and ChangeMessage (task_control.h).
  ApiResult ChangeAnswer(const absl::StatusOr<TaskChange>& change);
  // Whether the caller may see the monitor samples of the agent or task `word` `id` ("agent",
  // "app", ...): as LoadTask for a task; any user sees any agent's, NotFound for an unknown one.
  absl::Status MayViewMonitor(const Call& call, const std::string& word, int64_t id);
  // The monitor route's `size` (default 100, clamped to [1, 1000]).
  absl::StatusOr<int> MonitorSize(const Call& call) const;
  // Names of agents and groups already looked up, so a page of tasks costs one query per
  // distinct agent or group rather than two per task.
  struct NameCache {
    std::map<int64_t, std::string> agents, groups;
  };
  Json TaskJson(const store::Task& task, NameCache* cache = nullptr);
  // A page of tasks as the list routes answer it: {list, page, page_size, total}.
  std::string TaskPageJson(const store::Page<store::Task>& page, const store::TaskFilter& filter);
  // The task's `next_run_at` (a started job's next fire), from next_runs_.
  std::optional<absl::Time> NextRunOf(const store::Task& task);
  // The names TaskJson shows, from `cache` or the store (then kept in `cache`).
  TaskNames NamesOf(const store::Task& task, NameCache* cache);
  // The names of the agents and groups of `tasks`, two queries in all (a page of tasks); ids
  // a failed query should have named are left out, for TaskJson to look up one by one.
  NameCache PrefetchNames(const std::vector<store::Task>& tasks);
  std::string AgentName(const store::Agent& agent) const;
  // Whether this node reaches the agent with credentials in clear (no TLS, not loopback).
  bool InClear(const store::Agent& agent) const;
  // What /health reports besides "up": credentials in clear, imported tasks (SPEC 5, 7).
  Json HealthWarnings();
  // Pushes the definitions of tasks whose identity a change of their owner's rights touched;
  // the count of those the agents could not take now (they heal at the next heartbeat).
  int PushRechecked(const std::vector<store::TaskRef>& tasks);
  // TaskAgents (task_control.h), over the agent clients: the agent of the task is looked up in
  // the store (its error returned as is); Unavailable when it cannot be reached (the change is
  // stored and reaches it at its next heartbeat).
  absl::Status PushDefinition(const store::Task& task) override;
  absl::Status PushRemove(const store::Task& task, int64_t agent_id) override;
  absl::Status Restart(const store::Task& task) override;
  absl::Status Trigger(const store::Task& task) override;
  void LogOperation(const Call& call, int type, int64_t related_id, int action);
  // page >= 1 (else InvalidArgument), page_size clamped to [1, 200].
  absl::StatusOr<std::pair<int, int>> Paging(const Call& call) const;
  static Json PageJson(Json list, int64_t total, int page, int size);
  absl::StatusOr<Json> Body(const Call& call) const;
  // One of the caller's live streams (web.max_streams_per_user), kept in `slot` until the
  // stream ends; the 429 answer when the caller has them all open.
  std::optional<ApiResult> TakeStreamSlot(const Call& call, std::shared_ptr<void>* slot);

  store::Store& store_;
  const config::Config& config_;
  // component.redis.asgard when configured (else null): the login limits and the bus use it.
  std::unique_ptr<redis::Client> redis_;
  // Task, group and user writes other web nodes announced (NodeBus), and announcements that
  // may have been missed; added to the store's write count by ListWrites.
  std::atomic<uint64_t> announced_writes_{0};
  // Shared with every web node on the store. Route reads it on an I/O thread only from its
  // cache (CheckCached), and hands the request to a worker when the store must be asked.
  Sessions sessions_;
  // Whom a request comes from (web.trusted_proxies), and the login decisions that depend on it.
  const ClientAddresses clients_;
  LoginGate logins_;
  // The user of each request's session (Route). Every route that changes a user calls
  // UserChanged(id) right after the store call, whether it succeeded or not.
  UserCache session_users_;
  // Recent pages of the apps, jobs and timings lists (their JSON), keyed by filter and viewer.
  ResponseCache task_pages_;
  // The last /health answer: its warnings take four queries (agents, imported tasks of each
  // kind), and a probe or a load balancer may ask many times a second.
  ResponseCache health_answers_;
  AgentClients agents_;
  // What each user holds at once: requests in progress, open streams (web.max_*_per_user).
  UserLimits user_limits_;
  absl::TimeZone zone_;
  // Recent answers of the monitor route, keyed by agent or task, size and viewer.
  MonitorPoints monitor_points_;
  // Each distinct cron spec of the listed jobs, parsed once.
  NextRuns next_runs_;
  // The rules of apps, jobs and timings; pushes through this object's TaskAgents.
  TaskControl tasks_;
  // Live log follows and monitor polls, each shared by every stream watching it.
  LiveFeeds live_;
  std::unique_ptr<http::StaticFiles> static_files_;
  std::function<http::ServerStats()> server_stats_;
  std::atomic<int64_t> requests_{0};
  std::mutex metrics_mu_;
  std::map<int, int64_t> responses_by_code_;
  // Last: its subscriber thread calls into the members above, and stops first.
  std::unique_ptr<NodeBus> bus_;
};

// The client addresses of web.trusted_proxies (checked by the config loader already; a bad
// entry is logged and no proxy trusted).
ClientAddresses ClientsOf(const config::Config& config);

// An id in a path or query (1..kMaxId, field_limits.h); InvalidArgument naming `field`
// otherwise.
absl::StatusOr<int64_t> ParseId(const std::string& text, const std::string& field);
// A count in a query (page, size, lines): a non-negative integer, saturating at INT64_MAX (the
// caller clamps it); InvalidArgument naming `field` otherwise.
absl::StatusOr<int64_t> ParseCount(const std::string& text, const std::string& field);

}  // namespace asgard::web
