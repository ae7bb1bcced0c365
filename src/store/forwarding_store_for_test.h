// File: forwarding_store_for_test.h
// A Store that forwards every call to another one, for tests that need a real store (SQLite on
// a temp dir, fast) with a fault in one place: a test derives from it and overrides only the
// calls it breaks, the way leveldb's fault-injection tests wrap a real Env. Test-only
// (asgard_store_testing).
//
//   class ReportsDown : public store::ForwardingStore {
//    public:
//     using ForwardingStore::ForwardingStore;
//     absl::StatusOr<int> InsertReport(...) override { return absl::UnavailableError("down"); }
//   };
//   ReportsDown store(*real);  // real: from store::Store::Open
//
// Thread-safety: as the Store it forwards to.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/records.h"
#include "store/store.h"

namespace asgard::store {

class ForwardingStore : public Store {
 public:
  // `inner` must outlive this store.
  explicit ForwardingStore(Store& inner) : inner_(inner) {}

  Store& inner() { return inner_; }

  // Store: each call goes to inner().
  // --- Agents ---------------------------------------------------------------------------
  absl::StatusOr<Agent> RegisterAgent(const AgentRegistration& reg, absl::Time now) override {
    return inner_.RegisterAgent(reg, now);
  }
  absl::Status ResetAgentKey(int64_t agent_id) override { return inner_.ResetAgentKey(agent_id); }
  absl::StatusOr<Agent> Heartbeat(int64_t agent_id, absl::Time now) override {
    return inner_.Heartbeat(agent_id, now);
  }
  absl::StatusOr<absl::Time> DatabaseTime() override { return inner_.DatabaseTime(); }
  absl::StatusOr<std::vector<int64_t>> MarkOfflineBefore(absl::Time cutoff) override {
    return inner_.MarkOfflineBefore(cutoff);
  }
  absl::StatusOr<std::vector<int64_t>> MarkOfflineBefore(absl::Time cutoff,
                                                         const LeaderFence& fence) override {
    return inner_.MarkOfflineBefore(cutoff, fence);
  }
  absl::StatusOr<bool> ClaimLeadership(const LeaderFence& fence) override {
    return inner_.ClaimLeadership(fence);
  }
  absl::StatusOr<Agent> GetAgent(int64_t id) override { return inner_.GetAgent(id); }
  absl::StatusOr<std::map<int64_t, Agent>> GetAgents(const std::vector<int64_t>& ids) override {
    return inner_.GetAgents(ids);
  }
  absl::StatusOr<Agent> FindAgent(const std::string& ip, const std::string& port) override {
    return inner_.FindAgent(ip, port);
  }
  absl::StatusOr<std::vector<Agent>> ListAgents() override { return inner_.ListAgents(); }
  absl::StatusOr<int64_t> AssignmentVersion(int64_t agent_id) override {
    return inner_.AssignmentVersion(agent_id);
  }
  absl::Status ForbidAgent(int64_t agent_id, int64_t user_id) override {
    return inner_.ForbidAgent(agent_id, user_id);
  }
  absl::Status SetAgentAlias(int64_t agent_id, const std::string& alias) override {
    return inner_.SetAgentAlias(agent_id, alias);
  }
  absl::StatusOr<std::map<int, int64_t>> CountAgentsByStatus() override {
    return inner_.CountAgentsByStatus();
  }

  // --- Apps, jobs, timings ----------------------------------------------------------------
  absl::StatusOr<Task> CreateTask(TaskKind kind, const TaskInput& input, int64_t user_id) override {
    return inner_.CreateTask(kind, input, user_id);
  }
  absl::StatusOr<Task> UpdateTask(TaskKind kind, int64_t id, const TaskInput& input,
                                  int64_t user_id) override {
    return inner_.UpdateTask(kind, id, input, user_id);
  }
  absl::StatusOr<Task> GetTask(TaskKind kind, int64_t id) override {
    return inner_.GetTask(kind, id);
  }
  absl::Status DeleteTask(TaskKind kind, int64_t id, int64_t user_id) override {
    return inner_.DeleteTask(kind, id, user_id);
  }
  absl::StatusOr<Task> SetDesired(TaskKind kind, int64_t id, Desired desired,
                                  int64_t user_id) override {
    return inner_.SetDesired(kind, id, desired, user_id);
  }
  absl::StatusOr<std::vector<Task>> ListTasksByAgent(TaskKind kind, int64_t agent_id) override {
    return inner_.ListTasksByAgent(kind, agent_id);
  }
  absl::StatusOr<std::vector<Task>> ListImportedRootTasks(TaskKind kind) override {
    return inner_.ListImportedRootTasks(kind);
  }
  absl::StatusOr<Page<Task>> ListTasks(TaskKind kind, const TaskFilter& filter) override {
    return inner_.ListTasks(kind, filter);
  }
  absl::StatusOr<std::map<int, int64_t>> CountTasksByStatus(
      TaskKind kind, std::optional<int64_t> creator) override {
    return inner_.CountTasksByStatus(kind, creator);
  }
  absl::StatusOr<Assignment> GetAssignment(int64_t agent_id) override {
    return inner_.GetAssignment(agent_id);
  }
  absl::Status RecordObserved(int64_t agent_id, const std::vector<ObservedReport>& reports,
                              absl::Time now) override {
    return inner_.RecordObserved(agent_id, reports, now);
  }

  // --- Reports ----------------------------------------------------------------------------
  absl::StatusOr<int> InsertArchives(const std::vector<ArchiveRecord>& batch) override {
    return inner_.InsertArchives(batch);
  }
  absl::StatusOr<int> InsertExceptions(const std::vector<ExceptionRecord>& batch) override {
    return inner_.InsertExceptions(batch);
  }
  absl::StatusOr<int> InsertReport(const std::vector<ArchiveRecord>& archives,
                                   const std::vector<ExceptionRecord>& exceptions,
                                   const std::vector<MonitorSample>& monitors,
                                   FreshRecords* fresh) override {
    return inner_.InsertReport(archives, exceptions, monitors, fresh);
  }
  absl::StatusOr<int> InsertMonitors(const std::vector<MonitorSample>& batch) override {
    return inner_.InsertMonitors(batch);
  }
  absl::StatusOr<std::vector<ArchiveRecord>> ListArchives(int type, int64_t related_id,
                                                          int limit) override {
    return inner_.ListArchives(type, related_id, limit);
  }
  absl::StatusOr<std::vector<ExceptionRecord>> ListExceptions(int limit) override {
    return inner_.ListExceptions(limit);
  }
  absl::StatusOr<Page<ArchiveRecord>> ListArchivesPage(int type, int64_t related_id, int page,
                                                       int size) override {
    return inner_.ListArchivesPage(type, related_id, page, size);
  }
  absl::StatusOr<Page<ExceptionRecord>> ListExceptionsPage(const ExceptionFilter& filter) override {
    return inner_.ListExceptionsPage(filter);
  }
  absl::Status EnsureMonitorTables(absl::Time now) override {
    return inner_.EnsureMonitorTables(now);
  }
  absl::StatusOr<std::vector<MonitorSample>> QueryMonitors(int type, int64_t related_id,
                                                           absl::Time from, absl::Time to,
                                                           int limit) override {
    return inner_.QueryMonitors(type, related_id, from, to, limit);
  }
  absl::StatusOr<std::vector<std::string>> DropMonitorTablesOlderThan(int months_to_keep,
                                                                      absl::Time now) override {
    return inner_.DropMonitorTablesOlderThan(months_to_keep, now);
  }
  absl::StatusOr<std::vector<std::string>> ListMonitorTables() override {
    return inner_.ListMonitorTables();
  }

  // --- Users -------------------------------------------------------------------------------
  absl::StatusOr<User> CreateUser(const User& user, const std::string& plain_password) override {
    return inner_.CreateUser(user, plain_password);
  }
  absl::StatusOr<User> GetUser(int64_t id) override { return inner_.GetUser(id); }
  absl::StatusOr<User> FindUser(UserKey key, const std::string& value) override {
    return inner_.FindUser(key, value);
  }
  absl::StatusOr<std::vector<User>> ListUsers() override { return inner_.ListUsers(); }
  absl::Status SetUserPassword(int64_t id, const std::string& plain, bool must_change) override {
    return inner_.SetUserPassword(id, plain, must_change);
  }
  absl::StatusOr<bool> AdminPasswordIsDefault() override { return inner_.AdminPasswordIsDefault(); }
  absl::StatusOr<User> UpdateUser(int64_t id, const UserUpdate& update,
                                  std::vector<TaskRef>* rechecked) override {
    return inner_.UpdateUser(id, update, rechecked);
  }
  absl::Status SetUserStatus(int64_t id, int status) override {
    return inner_.SetUserStatus(id, status);
  }

  // --- Groups and operations --------------------------------------------------------------
  absl::StatusOr<Group> CreateGroup(const std::string& name, int64_t user_id, int status) override {
    return inner_.CreateGroup(name, user_id, status);
  }
  absl::StatusOr<Group> GetGroup(int64_t id) override { return inner_.GetGroup(id); }
  absl::StatusOr<std::map<int64_t, Group>> GetGroups(const std::vector<int64_t>& ids) override {
    return inner_.GetGroups(ids);
  }
  absl::StatusOr<std::vector<Group>> ListGroups(bool include_deleted) override {
    return inner_.ListGroups(include_deleted);
  }
  absl::StatusOr<Group> UpdateGroup(int64_t id, const std::string& name, int64_t user_id,
                                    std::optional<int> status) override {
    return inner_.UpdateGroup(id, name, user_id, status);
  }
  absl::Status DeleteGroup(int64_t id, int64_t user_id) override {
    return inner_.DeleteGroup(id, user_id);
  }
  absl::StatusOr<int64_t> InsertOperation(const Operation& op) override {
    return inner_.InsertOperation(op);
  }
  absl::StatusOr<Page<Operation>> ListOperations(const OperationFilter& filter) override {
    return inner_.ListOperations(filter);
  }

  // --- Web sessions and settings -----------------------------------------------------------
  absl::Status CreateSession(const WebSession& session) override {
    return inner_.CreateSession(session);
  }
  absl::StatusOr<WebSession> GetSession(const std::string& token_hash) override {
    return inner_.GetSession(token_hash);
  }
  absl::Status DeleteSession(const std::string& token_hash) override {
    return inner_.DeleteSession(token_hash);
  }
  absl::Status DeleteUserSessions(int64_t user_id) override {
    return inner_.DeleteUserSessions(user_id);
  }
  absl::StatusOr<int> DeleteExpiredSessions(absl::Time now, int limit) override {
    return inner_.DeleteExpiredSessions(now, limit);
  }
  absl::StatusOr<std::string> GetOrCreateSetting(const std::string& name,
                                                 const std::string& value_if_absent) override {
    return inner_.GetOrCreateSetting(name, value_if_absent);
  }

  uint64_t WriteCount() const override { return inner_.WriteCount(); }

 private:
  Store& inner_;
};

}  // namespace asgard::store
