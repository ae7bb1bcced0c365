// File: sql_store.h
// SqlStore: the Store (store.h) on SQLite or MySQL/MariaDB, over the SQL seam of sql.h. Internal
// to src/store: the roles see a Store, from Store::Open, and only the store's own files (and its
// tests) name this class. The contract of each method is the one documented on Store.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<SqlStore> store, SqlStore::Open(db, runtime_dir));
//
// Thread-safety: writes and transactions are serialised on one connection (a mutex; SQLite
// waits up to 30 s for another process's write lock, and a lost MySQL connection is reopened on
// the next call). Plain reads (Get*, Find*, List*, Count*, QueryMonitors) run at once on a small
// pool of read-only connections (OpenOptions::read_connections; SQLite's WAL lets them read
// while the writer writes); each of their statements sees every write committed before it
// started, so a caller reads its own writes, but the statements of one read (a list's count and
// its page) are not one snapshot.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
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
#include "store/store.h"

namespace asgard::store {
namespace internal {
struct ReportToWrite;  // report_writer.h
}
class WalCheckpointer;  // wal_checkpointer.h

class SqlStore final : public Store {
 public:
  // As Store::Open and Store::OpenOn (which return this), with the concrete type.
  static absl::StatusOr<std::unique_ptr<SqlStore>> Open(const config::DbConfig& db,
                                                        const std::string& runtime_dir,
                                                        const OpenOptions& options = {});
  static absl::StatusOr<std::unique_ptr<SqlStore>> OpenOn(std::unique_ptr<SqlConn> conn,
                                                          const OpenOptions& options = {});
  ~SqlStore() override;

  Backend backend() const { return backend_; }

  // Store (store.h documents each method).
  // --- Agents ---------------------------------------------------------------------------
  absl::StatusOr<Agent> RegisterAgent(const AgentRegistration& reg, absl::Time now) override;
  absl::Status ResetAgentKey(int64_t agent_id) override;
  absl::StatusOr<Agent> Heartbeat(int64_t agent_id, absl::Time now) override;
  absl::StatusOr<absl::Time> DatabaseTime() override;
  absl::StatusOr<std::vector<int64_t>> MarkOffline(absl::Time cutoff, const LeaderFence* fence);
  absl::StatusOr<std::vector<int64_t>> MarkOfflineBefore(absl::Time cutoff) override;
  absl::StatusOr<std::vector<int64_t>> MarkOfflineBefore(absl::Time cutoff,
                                                         const LeaderFence& fence) override;
  absl::StatusOr<bool> ClaimLeadership(const LeaderFence& fence) override;
  absl::StatusOr<Agent> GetAgent(int64_t id) override;
  absl::StatusOr<std::map<int64_t, Agent>> GetAgents(const std::vector<int64_t>& ids) override;
  absl::StatusOr<Agent> FindAgent(const std::string& ip, const std::string& port) override;
  absl::StatusOr<std::vector<Agent>> ListAgents() override;
  absl::StatusOr<int64_t> AssignmentVersion(int64_t agent_id) override;
  absl::Status ForbidAgent(int64_t agent_id, int64_t user_id) override;
  absl::Status SetAgentAlias(int64_t agent_id, const std::string& alias) override;
  absl::StatusOr<std::map<int, int64_t>> CountAgentsByStatus() override;

  // --- Apps, jobs, timings ----------------------------------------------------------------
  absl::StatusOr<Task> CreateTask(TaskKind kind, const TaskInput& input, int64_t user_id) override;
  absl::StatusOr<Task> UpdateTask(TaskKind kind, int64_t id, const TaskInput& input,
                                  int64_t user_id) override;
  absl::StatusOr<Task> GetTask(TaskKind kind, int64_t id) override;
  absl::Status DeleteTask(TaskKind kind, int64_t id, int64_t user_id) override;
  absl::StatusOr<Task> SetDesired(TaskKind kind, int64_t id, Desired desired,
                                  int64_t user_id) override;
  absl::StatusOr<std::vector<Task>> ListTasksByAgent(TaskKind kind, int64_t agent_id) override;
  absl::StatusOr<std::vector<Task>> ListImportedRootTasks(TaskKind kind) override;
  absl::StatusOr<Page<Task>> ListTasks(TaskKind kind, const TaskFilter& filter) override;
  absl::StatusOr<std::map<int, int64_t>> CountTasksByStatus(
      TaskKind kind, std::optional<int64_t> creator) override;
  absl::StatusOr<Assignment> GetAssignment(int64_t agent_id) override;
  absl::Status RecordObserved(int64_t agent_id, const std::vector<ObservedReport>& reports,
                              absl::Time now) override;

  // --- Reports ----------------------------------------------------------------------------
  absl::StatusOr<int> InsertArchives(const std::vector<ArchiveRecord>& batch) override;
  absl::StatusOr<int> InsertExceptions(const std::vector<ExceptionRecord>& batch) override;
  absl::StatusOr<int> InsertReport(const std::vector<ArchiveRecord>& archives,
                                   const std::vector<ExceptionRecord>& exceptions,
                                   const std::vector<MonitorSample>& monitors,
                                   FreshRecords* fresh) override;
  absl::StatusOr<int> InsertMonitors(const std::vector<MonitorSample>& batch) override;
  absl::StatusOr<std::vector<ArchiveRecord>> ListArchives(int type, int64_t related_id,
                                                          int limit) override;
  absl::StatusOr<std::vector<ExceptionRecord>> ListExceptions(int limit) override;
  absl::StatusOr<Page<ArchiveRecord>> ListArchivesPage(int type, int64_t related_id, int page,
                                                       int size) override;
  absl::StatusOr<Page<ExceptionRecord>> ListExceptionsPage(const ExceptionFilter& filter) override;
  absl::Status EnsureMonitorTables(absl::Time now) override;
  absl::StatusOr<std::vector<MonitorSample>> QueryMonitors(int type, int64_t related_id,
                                                           absl::Time from, absl::Time to,
                                                           int limit) override;
  absl::StatusOr<std::vector<std::string>> DropMonitorTablesOlderThan(int months_to_keep,
                                                                      absl::Time now) override;
  absl::StatusOr<std::vector<std::string>> ListMonitorTables() override;

  // --- Users -------------------------------------------------------------------------------
  absl::StatusOr<User> CreateUser(const User& user, const std::string& plain_password) override;
  absl::StatusOr<User> GetUser(int64_t id) override;
  absl::StatusOr<User> FindUser(UserKey key, const std::string& value) override;
  absl::StatusOr<std::vector<User>> ListUsers() override;
  absl::Status SetUserPassword(int64_t id, const std::string& plain, bool must_change) override;
  absl::StatusOr<bool> AdminPasswordIsDefault() override;
  absl::StatusOr<User> UpdateUser(int64_t id, const UserUpdate& update,
                                  std::vector<TaskRef>* rechecked) override;
  absl::Status SetUserStatus(int64_t id, int status) override;

  // --- Groups and operations --------------------------------------------------------------
  absl::StatusOr<Group> CreateGroup(const std::string& name, int64_t user_id, int status) override;
  absl::StatusOr<Group> GetGroup(int64_t id) override;
  absl::StatusOr<std::map<int64_t, Group>> GetGroups(const std::vector<int64_t>& ids) override;
  absl::StatusOr<std::vector<Group>> ListGroups(bool include_deleted) override;
  absl::StatusOr<Group> UpdateGroup(int64_t id, const std::string& name, int64_t user_id,
                                    std::optional<int> status) override;
  absl::Status DeleteGroup(int64_t id, int64_t user_id) override;
  absl::StatusOr<int64_t> InsertOperation(const Operation& op) override;
  absl::StatusOr<Page<Operation>> ListOperations(const OperationFilter& filter) override;

  // --- Web sessions and settings -----------------------------------------------------------
  absl::Status CreateSession(const WebSession& session) override;
  absl::StatusOr<WebSession> GetSession(const std::string& token_hash) override;
  absl::Status DeleteSession(const std::string& token_hash) override;
  absl::Status DeleteUserSessions(int64_t user_id) override;
  absl::StatusOr<int> DeleteExpiredSessions(absl::Time now, int limit) override;
  absl::StatusOr<std::string> GetOrCreateSetting(const std::string& name,
                                                 const std::string& value_if_absent) override;

  uint64_t WriteCount() const override { return writes_.load(std::memory_order_acquire); }

 private:
  SqlStore(std::unique_ptr<SqlConn> conn, OpenOptions options);

  // mu_ held for a call that may write; the write is counted (WriteCount) as the lock ends,
  // after the call's commit.
  class ABSL_SCOPED_LOCKABLE WriteLock {
   public:
    explicit WriteLock(SqlStore* store) ABSL_EXCLUSIVE_LOCK_FUNCTION(store->mu_) : store_(store) {
      store_->mu_.Lock();
    }
    ~WriteLock() ABSL_UNLOCK_FUNCTION() {
      store_->writes_.fetch_add(1, std::memory_order_release);
      store_->mu_.Unlock();
    }
    WriteLock(const WriteLock&) = delete;
    WriteLock& operator=(const WriteLock&) = delete;

   private:
    SqlStore* const store_;
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
  // monitors_YYYYMM tables this SqlStore created or found, so a report does not re-run the DDL.
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
