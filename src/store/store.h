// File: store.h
// The store of the master, the web node and `asgard all`: agents, apps/jobs/timings with their
// desired and observed state, reports (archives, exceptions, monthly monitor tables), users,
// groups and the operation log, on SQLite (the embedded default, WAL) or MySQL/MariaDB. Open()
// migrates the database to the current schema first, under a lock, so that web and master may
// start together; an original Asgard MySQL database is upgraded in place (see migrate.h).
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
// Thread-safety: every method may be called from any thread. Writes and transactions are
// serialised on one connection (a mutex; SQLite waits up to 30 s for another process's write
// lock, and a lost MySQL connection is reopened on the next call). Plain reads (Get*, Find*,
// List*, Count*, QueryMonitors) run at once on a small pool of read-only connections
// (OpenOptions::read_connections; SQLite's WAL lets them read while the writer writes); each of
// their statements sees every write committed before it started, so a caller reads its own
// writes, but the statements of one read (a list's count and its page) are not one snapshot.
// Calls block: run them off event loops.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "config/config.h"
#include "store/conn_pool.h"
#include "store/records.h"
#include "store/sql.h"
#include "store/task_store.h"

namespace asgard::store {
namespace internal {
struct ReportToWrite;  // report_writer.h
}
class WalCheckpointer;  // wal_checkpointer.h

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

// Implements TaskStore (task_store.h), the part the rules of tasks depend on.
class Store final : public TaskStore {
 public:
  // driver "sqlite": the file db.path, or <runtime_dir>/asgard.db (runtime_dir is created 0700);
  // driver "mysql": db.host, port, user, password, database (the database must exist).
  static absl::StatusOr<std::unique_ptr<Store>> Open(const config::DbConfig& db,
                                                     const std::string& runtime_dir,
                                                     const OpenOptions& options = {});
  // On a connection already open (tools and tests); migrates it like Open. No read-only
  // connections: every call uses `conn`.
  static absl::StatusOr<std::unique_ptr<Store>> OpenOn(std::unique_ptr<SqlConn> conn,
                                                       const OpenOptions& options = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  Backend backend() const { return backend_; }

  // --- Agents ---------------------------------------------------------------------------
  // Known ip:port: online again with the new master, uuid and pid, unless forbidden (then the
  // row is returned unchanged and agent.forbidden() is true). Unknown: a new online row. The
  // first registration records reg.key_hash; later ones must present the same one
  // (PermissionDenied, nothing changed, otherwise) until ResetAgentKey.
  absl::StatusOr<Agent> RegisterAgent(const AgentRegistration& reg, absl::Time now);
  // Forgets the agent's key: its next registration records a new one (a reinstalled host).
  absl::Status ResetAgentKey(int64_t agent_id);
  // Online (unless forbidden) with last_heartbeat_at = now; returns the row (with its
  // assignment_version for the heartbeat answer).
  absl::StatusOr<Agent> Heartbeat(int64_t agent_id, absl::Time now);
  // Online agents whose last heartbeat is before `cutoff` go offline (status 0), and the
  // observed state of their tasks becomes "unknown" (status -2); desired state is untouched.
  absl::StatusOr<std::vector<int64_t>> MarkOfflineBefore(absl::Time cutoff);
  absl::StatusOr<Agent> GetAgent(int64_t id) override;
  // The agents with these ids, by id, in one query (a page of tasks names its agents); unknown
  // ids are absent.
  absl::StatusOr<std::map<int64_t, Agent>> GetAgents(const std::vector<int64_t>& ids);
  absl::StatusOr<Agent> FindAgent(const std::string& ip, const std::string& port);
  absl::StatusOr<std::vector<Agent>> ListAgents();
  absl::StatusOr<int64_t> AssignmentVersion(int64_t agent_id);
  // Status -1 for the agent and (as the original) for all its tasks; bumps its version.
  absl::Status ForbidAgent(int64_t agent_id, int64_t user_id);
  // The name the web console shows; NotFound for an unknown agent.
  absl::Status SetAgentAlias(int64_t agent_id, const std::string& alias);
  // Agent status (1 online, 0 offline, -1 forbidden) -> how many agents have it; statuses
  // nobody has are absent.
  absl::StatusOr<std::map<int, int64_t>> CountAgentsByStatus();

  // --- Apps, jobs, timings ----------------------------------------------------------------
  // Each change of what an agent must run bumps that agent's assignment_version in the same
  // transaction (both agents when a task moves). `user_id` is the writer: input.user is kept
  // only when the writer may name that account at the time of the write (run_as.h), else it
  // is stored as "" (the owner's own identity); user id 0 is the system (trusted).
  absl::StatusOr<Task> CreateTask(TaskKind kind, const TaskInput& input,
                                  int64_t user_id) override;
  // Replaces the editable fields (not desired); NotFound for a deleted task. A move to another
  // agent clears the observed state; any write clears imported_root.
  absl::StatusOr<Task> UpdateTask(TaskKind kind, int64_t id, const TaskInput& input,
                                  int64_t user_id) override;
  // Deleted ones too (status -1).
  absl::StatusOr<Task> GetTask(TaskKind kind, int64_t id) override;
  // Soft: status -1.
  absl::Status DeleteTask(TaskKind kind, int64_t id, int64_t user_id) override;
  absl::StatusOr<Task> SetDesired(TaskKind kind, int64_t id, Desired desired,
                                  int64_t user_id) override;
  absl::StatusOr<std::vector<Task>> ListTasksByAgent(TaskKind kind, int64_t agent_id);
  // Tasks not deleted with imported_root set (SPEC 7: reported at start and by the API).
  absl::StatusOr<std::vector<Task>> ListImportedRootTasks(TaskKind kind);
  // Newest (highest id) first; see TaskFilter. total counts every match.
  absl::StatusOr<Page<Task>> ListTasks(TaskKind kind, const TaskFilter& filter);
  // Derived status (-3..3) of the tasks not deleted -> how many have it, of `creator`'s tasks
  // only when given; statuses nobody has are absent (the dashboard).
  absl::StatusOr<std::map<int, int64_t>> CountTasksByStatus(TaskKind kind,
                                                            std::optional<int64_t> creator);
  // What the agent must run (not deleted, not a finished timing) and the version it reflects.
  absl::StatusOr<Assignment> GetAssignment(int64_t agent_id);
  // Writes observed fields only (never desired) of the listed tasks that belong to the agent,
  // re-deriving status; a timing whose run ended on its own ("exited") becomes 3 (done).
  // Reports about tasks of other agents, or deleted ones, are ignored.
  absl::Status RecordObserved(int64_t agent_id, const std::vector<ObservedReport>& reports,
                              absl::Time now);

  // --- Reports ----------------------------------------------------------------------------
  // Each stores the records it has not stored before (by uuid and seq; an empty uuid is
  // InvalidArgument) and returns how many were new.
  absl::StatusOr<int> InsertArchives(const std::vector<ArchiveRecord>& batch);
  absl::StatusOr<int> InsertExceptions(const std::vector<ExceptionRecord>& batch);
  // A whole report in one transaction (one commit): each record not stored before; returns
  // how many were new and, in `fresh`, which archives and exceptions (a resent report's are
  // not, so whatever follows a first arrival, such as an alert, happens once). Reports that
  // wait for the writer at the same time share one transaction and multi-row statements
  // (report_writer.h); each is still stored whole or not at all.
  absl::StatusOr<int> InsertReport(const std::vector<ArchiveRecord>& archives,
                                   const std::vector<ExceptionRecord>& exceptions,
                                   const std::vector<MonitorSample>& monitors,
                                   FreshRecords* fresh = nullptr);
  // Into monitors_YYYYMM of each sample's UTC month, creating the table when missing.
  absl::StatusOr<int> InsertMonitors(const std::vector<MonitorSample>& batch);
  // The newest `limit` (at most 100000), newest first; records read back carry their id.
  absl::StatusOr<std::vector<ArchiveRecord>> ListArchives(int type, int64_t related_id, int limit);
  absl::StatusOr<std::vector<ExceptionRecord>> ListExceptions(int limit);
  // Page `page` (from 1; lower reads as 1) of the task's archives, newest (highest id) first,
  // `size` clamped to [1, 1000]; total counts every archive of the task.
  absl::StatusOr<Page<ArchiveRecord>> ListArchivesPage(int type, int64_t related_id, int page,
                                                       int size);
  // Exceptions matching every filter given (see ExceptionFilter), newest first; total counts
  // every match.
  absl::StatusOr<Page<ExceptionRecord>> ListExceptionsPage(const ExceptionFilter& filter);
  // Creates this month's and next month's tables.
  absl::Status EnsureMonitorTables(absl::Time now);
  // Samples with from <= created_at < to, across months: the newest `limit`, oldest first.
  absl::StatusOr<std::vector<MonitorSample>> QueryMonitors(int type, int64_t related_id,
                                                           absl::Time from, absl::Time to,
                                                           int limit);
  // Keeps the current month and the months_to_keep - 1 before it; drops older tables and
  // returns their names. months_to_keep < 1 drops nothing.
  absl::StatusOr<std::vector<std::string>> DropMonitorTablesOlderThan(int months_to_keep,
                                                                      absl::Time now);
  absl::StatusOr<std::vector<std::string>> ListMonitorTables();  // oldest first

  // --- Users -------------------------------------------------------------------------------
  // Hashes `plain_password` (argon2id). Nickname, and email and mobile when not empty, must be
  // unique (AlreadyExists names the field); InvalidArgument for an empty nickname or a role
  // other than "Administrator" or "User".
  absl::StatusOr<User> CreateUser(const User& user, const std::string& plain_password);
  absl::StatusOr<User> GetUser(int64_t id);
  absl::StatusOr<User> FindUser(UserKey key, const std::string& value);
  absl::StatusOr<std::vector<User>> ListUsers();
  absl::Status SetUserPassword(int64_t id, const std::string& plain, bool must_change);
  // Whether the account "admin" still accepts "123456" (roles warn while it does).
  absl::StatusOr<bool> AdminPasswordIsDefault();
  // Writes only the fields given, in one transaction: NotFound for an unknown id;
  // AlreadyExists (naming the field) for a nickname, email or mobile another user has;
  // InvalidArgument for an empty nickname or a role other than "Administrator" or "User".
  // When the role or the run_as allow list changes, the same transaction re-checks the
  // user's tasks (run_as.h): those they created or last wrote that name an account the user
  // may no longer choose run as their own identity again; every task they created changes
  // identity with the role. Each touched task's agent gets a new assignment version, and
  // `rechecked` (when given) lists the touched tasks, for the caller to push.
  absl::StatusOr<User> UpdateUser(int64_t id, const UserUpdate& update,
                                  std::vector<TaskRef>* rechecked = nullptr);
  // 1 normal, 0 unverified, -1 forbidden (InvalidArgument otherwise); NotFound for an unknown id.
  absl::Status SetUserStatus(int64_t id, int status);

  // --- Groups and operations --------------------------------------------------------------
  // Group names are unique among the groups not deleted (checked by the store; the schema has no
  // unique key, so that a deleted group's name can be used again). Each returns the group as
  // stored, with creator and updator. A group's status is 1 (in use) or 0 (not in use, which
  // only marks it: its tasks run and list as any other); -1 is deleted, by DeleteGroup only.
  // InvalidArgument for an empty name or another status; AlreadyExists ("name: ...") for a
  // name in use.
  absl::StatusOr<Group> CreateGroup(const std::string& name, int64_t user_id, int status = 1);
  absl::StatusOr<Group> GetGroup(int64_t id) override;  // deleted ones too (status -1)
  // As GetAgents: by id, in one query, unknown ids absent; deleted ones too.
  absl::StatusOr<std::map<int64_t, Group>> GetGroups(const std::vector<int64_t>& ids);
  // By id; the deleted ones only with `include_deleted`.
  absl::StatusOr<std::vector<Group>> ListGroups(bool include_deleted = false);
  // Renames, and sets the status when one is given; NotFound for an unknown or deleted group,
  // then as CreateGroup (the group's own name is not a conflict).
  absl::StatusOr<Group> UpdateGroup(int64_t id, const std::string& name, int64_t user_id,
                                    std::optional<int> status = std::nullopt);
  // Soft: status -1 (the tasks of the group keep their group_id). NotFound for an unknown or
  // already deleted group.
  absl::Status DeleteGroup(int64_t id, int64_t user_id);
  // created_at unset: now.
  absl::StatusOr<int64_t> InsertOperation(const Operation& op) override;
  // Matching every filter given (see OperationFilter), newest (highest id) first; total counts
  // every match.
  absl::StatusOr<Page<Operation>> ListOperations(const OperationFilter& filter);

  // How many calls that may write have finished on this Store (each counted once its
  // transaction is over). What a caller read is current while the count has not moved since
  // before it read; writes by other processes on the same database are not counted.
  uint64_t WriteCount() const { return writes_.load(std::memory_order_acquire); }

 private:
  Store(std::unique_ptr<SqlConn> conn, OpenOptions options);

  // mu_ held for a call that may write; the write is counted (WriteCount) as the lock ends,
  // after the call's commit.
  class ABSL_SCOPED_LOCKABLE WriteLock {
   public:
    explicit WriteLock(Store* store) ABSL_EXCLUSIVE_LOCK_FUNCTION(store->mu_) : store_(store) {
      store_->mu_.Lock();
    }
    ~WriteLock() ABSL_UNLOCK_FUNCTION() {
      store_->writes_.fetch_add(1, std::memory_order_release);
      store_->mu_.Unlock();
    }
    WriteLock(const WriteLock&) = delete;
    WriteLock& operator=(const WriteLock&) = delete;

   private:
    Store* const store_;
  };

  // Returns read(conn) on a read-only connection, or on the writer under mu_ when the store has
  // none. For plain reads only (no writes, no transactions: those need the writer).
  template <typename F>
  decltype(auto) Read(F&& read) ABSL_LOCKS_EXCLUDED(mu_) {
    if (readers_ == nullptr) {
      absl::MutexLock lock(&mu_);
      return read(*conn_);
    }
    ConnPool::Lease lease = readers_->Acquire();
    return read(*lease);
  }

  // Takes the reports queued for a report connection, oldest first, up to a transaction's
  // worth.
  std::vector<internal::ReportToWrite*> TakeQueuedReports() ABSL_LOCKS_EXCLUDED(queue_mu_);
  // Takes a report connection (the writer on SQLite), writes what TakeQueuedReports gives on
  // it, marks those reports done and counts the connection free again. The caller counted it
  // taken (free_report_writers_).
  void WriteQueuedReports() ABSL_LOCKS_EXCLUDED(mu_, queue_mu_);
  // Writes the reports TakeQueuedReports gives on `conn`; returns them, with their results.
  std::vector<internal::ReportToWrite*> WriteQueuedReportsOn(SqlConn& conn)
      ABSL_LOCKS_EXCLUDED(queue_mu_);
  // The monitor tables of the report's samples, created on `conn` unless known to exist.
  absl::Status CreateMonitorTablesOf(SqlConn& conn, internal::ReportToWrite* report);
  absl::Status CreateMonitorTableOnce(SqlConn& conn, const std::string& table)
      ABSL_LOCKS_EXCLUDED(tables_mu_);

  absl::Mutex mu_;
  const Backend backend_;
  const OpenOptions options_;
  const std::unique_ptr<SqlConn> conn_ ABSL_PT_GUARDED_BY(mu_);  // the writer
  // Set by Open() before the store is handed out, then never changed; null without readers.
  // The pool has its own lock.
  std::unique_ptr<ConnPool> readers_;
  // SQLite file databases: the writer's WAL checkpoints, on a thread of their own. Set by
  // Open() like readers_; declared after conn_, so that it is gone before the writer closes.
  std::unique_ptr<WalCheckpointer> checkpointer_;
  // MySQL: connections that write reports only (OpenOptions::report_connections), so that
  // the database works on several batches at once; null on SQLite (reports use the writer).
  // Set by Open() like readers_.
  std::unique_ptr<ConnPool> report_writers_;
  // monitors_YYYYMM tables this Store created or found, so a report does not re-run the DDL.
  absl::Mutex tables_mu_ ABSL_ACQUIRED_AFTER(mu_);
  std::set<std::string> known_monitor_tables_ ABSL_GUARDED_BY(tables_mu_);
  std::atomic<uint64_t> writes_{0};
  // Reports waiting for a report connection (InsertReport); each belongs to a caller blocked
  // until its `done` is set under queue_mu_.
  absl::Mutex queue_mu_ ABSL_ACQUIRED_AFTER(mu_);
  std::deque<internal::ReportToWrite*> queued_reports_ ABSL_GUARDED_BY(queue_mu_);
  // Report connections no call is writing on (the writer counts as one on SQLite).
  int free_report_writers_ ABSL_GUARDED_BY(queue_mu_) = 1;
};

}  // namespace asgard::store
