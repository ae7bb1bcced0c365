// File: store.h
// The store of the master, the web node and `asgard all`: agents, apps/jobs/timings with their
// desired and observed state, reports (archives, exceptions, monthly monitor tables), users,
// groups and the operation log. Store is the interface the roles depend on; SqlStore
// (sql_store.h, internal to src/store) implements it on SQLite (the embedded default, WAL) or
// MySQL/MariaDB, and Open() returns one. Open() migrates the database to the current schema
// first, under a lock, so that web and master may start together; an original Asgard MySQL
// database is upgraded in place (see migrate.h). Tests use Open() on a temp dir or ":memory:"
// (real and fast), or wrap a real store where a failure must be injected
// (forwarding_store_for_test.h).
//
//   ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(config.db["asgard"], "runtime"));
//   ASSIGN_OR_RETURN(Agent agent, store->RegisterAgent({.ip = "10.0.0.5", .port = "27149"}, now));
//   ASSIGN_OR_RETURN(Assignment work, store->GetAssignment(agent.id));
//
// Every value that comes from a user or an agent is a bound parameter, never SQL text.
// Times are stored in UTC, with whole seconds: DATETIME on MySQL (the session runs with
// time_zone '+00:00'), TEXT "YYYY-MM-DD HH:MM:SS" on SQLite (it sorts in time order).
// Errors: NotFound for a missing row, AlreadyExists for a duplicate unique value,
// InvalidArgument for bad input, Unavailable when the database cannot be reached (retry),
// Aborted for a deadlock (retry the call), Internal otherwise; messages name what failed.
// Thread-safety: every method may be called from any thread (implementations are thread-safe).
// A caller reads its own writes, but the statements of one read (a list's count and its page)
// are not one snapshot. Calls block: run them off event loops.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "config/config.h"
#include "store/records.h"
#include "store/sql.h"
#include "store/task_store.h"

namespace asgard::store {

struct OpenOptions {
  // Zone in which an original Asgard database wrote its DATETIMEs (the writer's local time);
  // used once, when such a database is migrated. Default: this process's zone, as the original.
  absl::TimeZone legacy_zone = absl::LocalTimeZone();
  // Source of created_at / updated_at times.
  std::function<absl::Time()> now = [] { return absl::Now(); };
  // Read-only connections Open() adds beside the writer, for the plain reads (0: every call
  // uses the writer). 4: the web node answers from up to 256 HTTP threads on a 2-core host;
  // SQLite reads are CPU-bound, so more connections than about twice the cores only add page
  // caches (up to 2 MiB each) and prepared statements, while fewer than the cores leave a core
  // idle when one reader waits on I/O. On MySQL each is one server connection per process.
  int read_connections = 4;
  // MySQL only: connections Open() adds that write agents' reports beside the writer. Each
  // writes one batch of reports at a time (report_writer.h); with several, the server works on
  // several batches at once (one server thread each), and the master builds the next batch
  // while the server stores the last. 2: the server's insert work then spreads over two cores;
  // more add lock contention on the monitor tables' indexes rather than speed (bench/README.md,
  // ingest).
  int report_connections = 2;
};

enum class UserKey { kNickname, kEmail, kMobile };

// Extends TaskStore (task_store.h), the part the rules of tasks depend on. Default arguments
// are given here only, never on an override: a default on a virtual comes from the static type
// of the call, so a second set could silently differ from this one.
class Store : public TaskStore {
 public:
  // The SQL implementation (SqlStore). driver "sqlite": the file db.path, or
  // <runtime_dir>/asgard.db (runtime_dir is created 0700); driver "mysql": db.host, port, user,
  // password, database (the database must exist).
  static absl::StatusOr<std::unique_ptr<Store>> Open(const config::DbConfig& db,
                                                     const std::string& runtime_dir,
                                                     const OpenOptions& options = {});
  // On a connection already open (tools and tests); migrates it like Open. No read-only
  // connections: every call uses `conn`.
  static absl::StatusOr<std::unique_ptr<Store>> OpenOn(std::unique_ptr<SqlConn> conn,
                                                       const OpenOptions& options = {});
  Store() = default;
  ~Store() override = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // --- Agents ---------------------------------------------------------------------------
  // Known ip:port: online again with the new master, uuid and pid, unless forbidden (then the
  // row is returned unchanged and agent.forbidden() is true). Unknown: a new online row. The
  // first registration records reg.key_hash; later ones must present the same one
  // (PermissionDenied, nothing changed, otherwise) until ResetAgentKey.
  virtual absl::StatusOr<Agent> RegisterAgent(const AgentRegistration& reg, absl::Time now) = 0;
  // Forgets the agent's key: its next registration records a new one (a reinstalled host).
  virtual absl::Status ResetAgentKey(int64_t agent_id) = 0;
  // Online (unless forbidden) with last_heartbeat_at = now; returns the row (with its
  // assignment_version for the heartbeat answer).
  virtual absl::StatusOr<Agent> Heartbeat(int64_t agent_id, absl::Time now) = 0;
  // The database server's clock. Masters of a cluster time heartbeats and the offline sweep by
  // it (through an offset they refresh), so that their own clocks may differ.
  virtual absl::StatusOr<absl::Time> DatabaseTime() = 0;
  // Online agents whose last heartbeat is before `cutoff` go offline (status 0), and the
  // observed state of their tasks becomes "unknown" (status -2); desired state is untouched.
  virtual absl::StatusOr<std::vector<int64_t>> MarkOfflineBefore(absl::Time cutoff) = 0;
  // The same for a cluster's leader: FailedPrecondition, nothing changed, when a later leader
  // has claimed the cluster (ClaimLeadership), checked in the same transaction.
  virtual absl::StatusOr<std::vector<int64_t>> MarkOfflineBefore(absl::Time cutoff,
                                                                 const LeaderFence& fence) = 0;
  // Records that `fence.epoch` leads `fence.cluster`; false (nothing changed) when a later
  // epoch already did: that leader is stale and must not act. Claiming again is true.
  virtual absl::StatusOr<bool> ClaimLeadership(const LeaderFence& fence) = 0;
  absl::StatusOr<Agent> GetAgent(int64_t id) override = 0;
  // The agents with these ids, by id, in one query (a page of tasks names its agents); unknown
  // ids are absent.
  virtual absl::StatusOr<std::map<int64_t, Agent>> GetAgents(const std::vector<int64_t>& ids) = 0;
  virtual absl::StatusOr<Agent> FindAgent(const std::string& ip, const std::string& port) = 0;
  virtual absl::StatusOr<std::vector<Agent>> ListAgents() = 0;
  virtual absl::StatusOr<int64_t> AssignmentVersion(int64_t agent_id) = 0;
  // Status -1 for the agent and (as the original) for all its tasks; bumps its version.
  virtual absl::Status ForbidAgent(int64_t agent_id, int64_t user_id) = 0;
  // The name the web console shows; NotFound for an unknown agent.
  virtual absl::Status SetAgentAlias(int64_t agent_id, const std::string& alias) = 0;
  // Agent status (1 online, 0 offline, -1 forbidden) -> how many agents have it; statuses
  // nobody has are absent.
  virtual absl::StatusOr<std::map<int, int64_t>> CountAgentsByStatus() = 0;

  // --- Apps, jobs, timings ----------------------------------------------------------------
  // Each change of what an agent must run bumps that agent's assignment_version in the same
  // transaction (both agents when a task moves). `user_id` is the writer: input.user is kept
  // only when the writer may name that account at the time of the write (run_as.h), else it
  // is stored as "" (the owner's own identity); user id 0 is the system (trusted).
  absl::StatusOr<Task> CreateTask(TaskKind kind, const TaskInput& input,
                                  int64_t user_id) override = 0;
  // Replaces the editable fields (not desired); NotFound for a deleted task. A move to another
  // agent clears the observed state; any write clears imported_root.
  absl::StatusOr<Task> UpdateTask(TaskKind kind, int64_t id, const TaskInput& input,
                                  int64_t user_id) override = 0;
  // Deleted ones too (status -1).
  absl::StatusOr<Task> GetTask(TaskKind kind, int64_t id) override = 0;
  // Soft: status -1.
  absl::Status DeleteTask(TaskKind kind, int64_t id, int64_t user_id) override = 0;
  absl::StatusOr<Task> SetDesired(TaskKind kind, int64_t id, Desired desired,
                                  int64_t user_id) override = 0;
  virtual absl::StatusOr<std::vector<Task>> ListTasksByAgent(TaskKind kind, int64_t agent_id) = 0;
  // Tasks not deleted with imported_root set (SPEC 7: reported at start and by the API).
  virtual absl::StatusOr<std::vector<Task>> ListImportedRootTasks(TaskKind kind) = 0;
  // Newest (highest id) first; see TaskFilter. total counts every match.
  virtual absl::StatusOr<Page<Task>> ListTasks(TaskKind kind, const TaskFilter& filter) = 0;
  // Derived status (-3..3) of the tasks not deleted -> how many have it, of `creator`'s tasks
  // only when given; statuses nobody has are absent (the dashboard).
  virtual absl::StatusOr<std::map<int, int64_t>> CountTasksByStatus(
      TaskKind kind, std::optional<int64_t> creator) = 0;
  // What the agent must run (not deleted, not a finished timing) and the version it reflects.
  virtual absl::StatusOr<Assignment> GetAssignment(int64_t agent_id) = 0;
  // Writes observed fields only (never desired) of the listed tasks that belong to the agent,
  // re-deriving status; a timing whose run ended on its own ("exited") becomes 3 (done).
  // Reports about tasks of other agents, or deleted ones, are ignored.
  virtual absl::Status RecordObserved(int64_t agent_id, const std::vector<ObservedReport>& reports,
                                      absl::Time now) = 0;

  // --- Reports ----------------------------------------------------------------------------
  // Each stores the records it has not stored before (by uuid and seq; an empty uuid is
  // InvalidArgument) and returns how many were new.
  virtual absl::StatusOr<int> InsertArchives(const std::vector<ArchiveRecord>& batch) = 0;
  virtual absl::StatusOr<int> InsertExceptions(const std::vector<ExceptionRecord>& batch) = 0;
  // A whole report in one transaction (one commit): each record not stored before; returns
  // how many were new and, in `fresh`, which archives and exceptions (a resent report's are
  // not, so whatever follows a first arrival, such as an alert, happens once). Reports that
  // wait for the writer at the same time share one transaction and multi-row statements
  // (report_writer.h); each is still stored whole or not at all.
  virtual absl::StatusOr<int> InsertReport(const std::vector<ArchiveRecord>& archives,
                                           const std::vector<ExceptionRecord>& exceptions,
                                           const std::vector<MonitorSample>& monitors,
                                           FreshRecords* fresh = nullptr) = 0;
  // Into monitors_YYYYMM of each sample's UTC month, creating the table when missing.
  virtual absl::StatusOr<int> InsertMonitors(const std::vector<MonitorSample>& batch) = 0;
  // The newest `limit` (at most 100000), newest first; records read back carry their id.
  virtual absl::StatusOr<std::vector<ArchiveRecord>> ListArchives(int type, int64_t related_id,
                                                                  int limit) = 0;
  virtual absl::StatusOr<std::vector<ExceptionRecord>> ListExceptions(int limit) = 0;
  // Page `page` (from 1; lower reads as 1) of the task's archives, newest (highest id) first,
  // `size` clamped to [1, 1000]; total counts every archive of the task.
  virtual absl::StatusOr<Page<ArchiveRecord>> ListArchivesPage(int type, int64_t related_id,
                                                               int page, int size) = 0;
  // Exceptions matching every filter given (see ExceptionFilter), newest first; total counts
  // every match.
  virtual absl::StatusOr<Page<ExceptionRecord>> ListExceptionsPage(
      const ExceptionFilter& filter) = 0;
  // Creates this month's and next month's tables.
  virtual absl::Status EnsureMonitorTables(absl::Time now) = 0;
  // Samples with from <= created_at < to, across months: the newest `limit`, oldest first.
  virtual absl::StatusOr<std::vector<MonitorSample>> QueryMonitors(int type, int64_t related_id,
                                                                   absl::Time from, absl::Time to,
                                                                   int limit) = 0;
  // Keeps the current month and the months_to_keep - 1 before it; drops older tables and
  // returns their names. months_to_keep < 1 drops nothing.
  virtual absl::StatusOr<std::vector<std::string>> DropMonitorTablesOlderThan(int months_to_keep,
                                                                              absl::Time now) = 0;
  virtual absl::StatusOr<std::vector<std::string>> ListMonitorTables() = 0;  // oldest first

  // --- Users -------------------------------------------------------------------------------
  // Hashes `plain_password` (argon2id). Nickname, and email and mobile when not empty, must be
  // unique (AlreadyExists names the field); InvalidArgument for an empty nickname or a role
  // other than "Administrator" or "User".
  virtual absl::StatusOr<User> CreateUser(const User& user, const std::string& plain_password) = 0;
  virtual absl::StatusOr<User> GetUser(int64_t id) = 0;
  virtual absl::StatusOr<User> FindUser(UserKey key, const std::string& value) = 0;
  virtual absl::StatusOr<std::vector<User>> ListUsers() = 0;
  virtual absl::Status SetUserPassword(int64_t id, const std::string& plain, bool must_change) = 0;
  // Whether the account "admin" still accepts "123456" (roles warn while it does).
  virtual absl::StatusOr<bool> AdminPasswordIsDefault() = 0;
  // Writes only the fields given, in one transaction: NotFound for an unknown id;
  // AlreadyExists (naming the field) for a nickname, email or mobile another user has;
  // InvalidArgument for an empty nickname or a role other than "Administrator" or "User".
  // When the role or the run_as allow list changes, the same transaction re-checks the
  // user's tasks (run_as.h): those they created or last wrote that name an account the user
  // may no longer choose run as their own identity again; every task they created changes
  // identity with the role. Each touched task's agent gets a new assignment version, and
  // `rechecked` (when given) lists the touched tasks, for the caller to push.
  virtual absl::StatusOr<User> UpdateUser(int64_t id, const UserUpdate& update,
                                          std::vector<TaskRef>* rechecked = nullptr) = 0;
  // 1 normal, 0 unverified, -1 forbidden (InvalidArgument otherwise); NotFound for an unknown id.
  virtual absl::Status SetUserStatus(int64_t id, int status) = 0;

  // --- Groups and operations --------------------------------------------------------------
  // Group names are unique among the groups not deleted (checked by the store; the schema has no
  // unique key, so that a deleted group's name can be used again). Each returns the group as
  // stored, with creator and updator. A group's status is 1 (in use) or 0 (not in use, which
  // only marks it: its tasks run and list as any other); -1 is deleted, by DeleteGroup only.
  // InvalidArgument for an empty name or another status; AlreadyExists ("name: ...") for a
  // name in use.
  virtual absl::StatusOr<Group> CreateGroup(const std::string& name, int64_t user_id,
                                            int status = 1) = 0;
  absl::StatusOr<Group> GetGroup(int64_t id) override = 0;  // deleted ones too (status -1)
  // As GetAgents: by id, in one query, unknown ids absent; deleted ones too.
  virtual absl::StatusOr<std::map<int64_t, Group>> GetGroups(const std::vector<int64_t>& ids) = 0;
  // By id; the deleted ones only with `include_deleted`.
  virtual absl::StatusOr<std::vector<Group>> ListGroups(bool include_deleted = false) = 0;
  // Renames, and sets the status when one is given; NotFound for an unknown or deleted group,
  // then as CreateGroup (the group's own name is not a conflict).
  virtual absl::StatusOr<Group> UpdateGroup(int64_t id, const std::string& name, int64_t user_id,
                                            std::optional<int> status = std::nullopt) = 0;
  // Soft: status -1 (the tasks of the group keep their group_id). NotFound for an unknown or
  // already deleted group.
  virtual absl::Status DeleteGroup(int64_t id, int64_t user_id) = 0;
  // created_at unset: now.
  absl::StatusOr<int64_t> InsertOperation(const Operation& op) override = 0;
  // Matching every filter given (see OperationFilter), newest (highest id) first; total counts
  // every match.
  virtual absl::StatusOr<Page<Operation>> ListOperations(const OperationFilter& filter) = 0;

  // --- Web sessions and settings -----------------------------------------------------------
  // The console's sessions, shared by every web node on this database: web/sessions.h makes
  // and checks the tokens, and only a hash of a token reaches the store. A logout or
  // revocation deletes the row, so it holds for every node at its next read.
  // AlreadyExists when a session with this token hash is stored already.
  virtual absl::Status CreateSession(const WebSession& session) = 0;
  // NotFound when no session has this hash (never made, logged out, revoked or cleaned up).
  // An expired row is returned as it is: expiry is the caller's to judge, on its own clock.
  virtual absl::StatusOr<WebSession> GetSession(const std::string& token_hash) = 0;
  // Deleting what is not there is not an error.
  virtual absl::Status DeleteSession(const std::string& token_hash) = 0;
  virtual absl::Status DeleteUserSessions(int64_t user_id) = 0;
  // Deletes at most `limit` sessions with expires_at <= now, those expired longest first;
  // returns how many it deleted.
  virtual absl::StatusOr<int> DeleteExpiredSessions(absl::Time now, int limit) = 0;
  // The value of setting `name` (at most 100 bytes; the value at most 1000); when there is
  // none yet, `value_if_absent` is stored first. Callers racing on a missing setting, in this
  // process or others on the same database, all get the one value stored first.
  virtual absl::StatusOr<std::string> GetOrCreateSetting(const std::string& name,
                                                         const std::string& value_if_absent) = 0;

  // How many calls that may write have finished on this Store (each counted once its
  // transaction is over). What a caller read is current while the count has not moved since
  // before it read; writes by other processes on the same database are not counted, nor are
  // writes of sessions and settings (no cached answer reads them, and a login must not empty
  // the web node's list caches).
  virtual uint64_t WriteCount() const = 0;
};

}  // namespace asgard::store
