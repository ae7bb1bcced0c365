// File: records.h
// The store's domain records: plain structs, one per table row, with the original's status
// numbers (ORIGINAL.md 7.4) and type codes (8.1). Times are absl::Time (stored in UTC).
//
//   TaskInput in;
//   in.name = "web"; in.agent_id = agent.id; in.program = "/usr/bin/python3";
//   ASSIGN_OR_RETURN(Task app, store.CreateTask(TaskKind::kApp, in, /*user_id=*/1));
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/signal.h"
#include "runtime/concurrency.h"

namespace asgard::store {

// Type codes shared by archives, exceptions, monitors and operations.
enum class TypeCode : int { kAgent = 1, kApp = 2, kJob = 3, kTiming = 4, kGroup = 5, kUser = 6 };

// The three kinds of task; the value is the kind's type code.
enum class TaskKind : int { kApp = 2, kJob = 3, kTiming = 4 };
const char* TaskTable(TaskKind kind);  // "apps", "jobs", "timings"

// What the user asked for. The original's `status` column is derived from it (SPEC 5).
enum class Desired : int { kRun = 1, kPause = 2 };

// agents.status
inline constexpr int kAgentOnline = 1;
inline constexpr int kAgentOffline = 0;
inline constexpr int kAgentForbidden = -1;
// apps/jobs/timings.status, derived: deleted -1; paused 2; agent offline or not yet observed
// -2; fatal -3; running, starting or backoff 1; stopped or exited 0; timing done 3.
inline constexpr int kTaskDeleted = -1;
inline constexpr int kTaskPaused = 2;
inline constexpr int kTaskUnknown = -2;
inline constexpr int kTaskFailed = -3;
inline constexpr int kTaskRunning = 1;
inline constexpr int kTaskStopped = 0;
inline constexpr int kTimingDone = 3;
// Observed state written when the agent goes offline.
inline constexpr char kStateUnknown[] = "unknown";

struct Agent {
  int64_t id = 0;
  std::string alias;
  std::string ip;
  std::string port;  // varchar in the original schema
  std::string master;
  int status = kAgentOffline;
  std::string uuid;  // of the agent process that registered last
  int64_t pid = 0;
  std::optional<absl::Time> last_heartbeat_at;
  int64_t assignment_version = 0;
  // Hex BLAKE2b-256 of the key the agent registered with first ("" none yet): a later
  // registration of this ip:port must present the same key (SPEC 5).
  std::string key_hash;
  absl::Time created_at;
  absl::Time updated_at;
  bool forbidden() const { return status == kAgentForbidden; }
};

// A cluster leader's claim on the singleton duties: the election's revision in etcd, which a
// later leader's exceeds. Leader-only writes carry it so that a stale leader's are refused.
struct LeaderFence {
  std::string cluster;
  int64_t epoch = 0;
};

struct AgentRegistration {
  std::string ip;
  std::string port;
  std::string master;
  std::string uuid;
  int64_t pid = 0;
  // Hex hash of the agent's key (see Agent::key_hash).
  std::string key_hash;
};

// The user-editable part of an app, job or timing. Fields that a kind lacks are ignored.
struct TaskInput {
  int64_t group_id = 0;
  std::string name;
  int64_t agent_id = 0;
  std::string dir, program, args, std_out, std_err;
  bool is_monitor = false;
  // Run as this account; "" = the owner's identity (see run_as.h). Only a writer with the right
  // to name it keeps it: the store resets it to "" otherwise, at every write.
  std::string user;
  std::map<std::string, std::string> env;  // stored as a JSON object
  Signal stop_signal = Signal::Term();  // stored as its Name(), a checked column
  int stop_timeout = 10;
  int64_t max_bytes = 50 * 1024 * 1024;
  int backups = 10;
  Desired desired = Desired::kPause;  // used by CreateTask only; SetDesired changes it
  // app
  bool auto_restart = false;
  int start_secs = 1, max_restarts = 5, backoff_max = 30;
  // job
  std::string spec;
  runtime::Concurrency concurrency = runtime::Concurrency::kForbid;  // a checked column
  int max_concurrent = 10;  // runs alive at once under concurrency "allow"
  // job and timing
  int timeout = -1;
  int retries = 0, retry_delay = 10;
  // timing
  absl::Time time = absl::UnixEpoch();
  int grace = 60;
};

// What the agent last reported about a task; written by the master only.
struct Observed {
  std::string state;  // process::StateName, "unknown" while the agent is offline, "" never seen
  int64_t pid = 0;
  int restarts = 0;
  std::optional<int> last_exit_status;
  std::string last_exit_signal;
  std::optional<absl::Time> last_exit_at;
  std::optional<absl::Time> observed_at;
};

struct Task {
  TaskKind kind = TaskKind::kApp;
  int64_t id = 0;
  TaskInput input;
  Desired desired = Desired::kPause;
  int status = kTaskPaused;
  Observed observed;
  absl::Time created_at, updated_at;
  int64_t creator = 0, updator = 0;
  // Imported from an original Asgard database, created there by a non-administrator: it ran as
  // root then and runs under today's rule now (reported at start and by the API). Cleared by
  // the next write.
  bool imported_root = false;
};

// A task whose identity a change of its owner's rights touched (Store::UpdateUser).
struct TaskRef {
  TaskKind kind = TaskKind::kApp;
  int64_t id = 0;
  int64_t agent_id = 0;
  bool operator==(const TaskRef&) const = default;
};

struct ObservedReport {
  TaskKind kind = TaskKind::kApp;
  int64_t id = 0;
  Observed observed;  // observed_at is set by the store
};

struct Assignment {
  int64_t version = 0;
  std::vector<Task> apps, jobs, timings;
};

struct TaskFilter {
  std::optional<int64_t> agent_id, group_id, creator;
  std::optional<int> status;  // default: every status but deleted
  std::string name;           // substring, matched literally (% and _ are not wildcards)
  int page = 1;               // from 1
  int size = 20;              // capped at 1000
};

template <typename T>
struct Page {
  std::vector<T> items;
  int64_t total = 0;
};

// Reports: each identified by (uuid, seq), so a re-sent one is stored once. `uuid` is the run's
// (or, for samples of the agent host and reports without a run, the agent process's) uuid;
// `seq` numbers the reports of that uuid.
struct ArchiveRecord {
  int type = 0;
  int64_t related_id = 0;
  std::string uuid;
  int64_t seq = 0;
  int64_t pid = 0;
  absl::Time begin_time, end_time;
  int status = 0;  // exit code; -1 signalled, -2 stopped by Asgard, -3 unknown
  std::string signal;
  absl::Time created_at;
  int64_t id = 0;  // the row's id when read; ignored when writing
};

struct ExceptionRecord {
  int type = 0;
  int64_t related_id = 0;
  std::string uuid;
  int64_t seq = 0;
  std::string desc;
  absl::Time created_at;
  int64_t id = 0;  // the row's id when read; ignored when writing
};

// Indexes, into the lists given to Store::InsertReport, of the records stored for the first time.
struct FreshRecords {
  std::vector<size_t> archives;
  std::vector<size_t> exceptions;
};

struct MonitorSample {
  int type = 0;
  int64_t related_id = 0;
  std::string uuid;
  int64_t seq = 0;
  int64_t pid = 0;
  double cpu = 0;     // percent over the last interval
  double memory = 0;  // RSS, as the agent reports it
  int threads = 0;
  absl::Time created_at;  // decides the monitors_YYYYMM table (UTC month)
};

// Filters of the web node's lists: each field given narrows the list; page from 1 (lower reads
// as 1), size clamped to [1, 1000].
struct ExceptionFilter {
  std::optional<int> type;  // TypeCode: 1 agent, 2 app, 3 job, 4 timing
  std::optional<int64_t> related_id;
  // Only exceptions of tasks (apps, jobs, timings, by type) this user created; never those of
  // agents.
  std::optional<int64_t> creator;
  int page = 1;
  int size = 20;
};

struct OperationFilter {
  std::optional<int64_t> user_id;
  std::optional<int> type;  // TypeCode
  int page = 1;
  int size = 20;
};

// The fields of a user that UpdateUser writes: only those given.
struct UserUpdate {
  std::optional<std::string> nickname, email, mobile, avatar, role;
  std::optional<std::vector<std::string>> run_as;
};

struct User {
  int64_t id = 0;
  std::string nickname, avatar, email, mobile;
  std::string role = "User";  // "Administrator" or "User"
  std::string salt;           // only for an original MD5 password
  std::string password;       // argon2id string, or the original's hex MD5
  int status = 1;             // 0 unverified, 1 normal, -1 forbidden
  bool must_change_password = false;
  // Accounts an administrator allowed this user's tasks to run as (run_as.h); administrators
  // may name any account.
  std::vector<std::string> run_as;
  absl::Time created_at, updated_at;
  bool admin() const { return role == "Administrator"; }
};

struct Group {
  int64_t id = 0;
  std::string name;
  int status = 1;  // 1 in use, 0 not in use, -1 deleted
  absl::Time created_at, updated_at;
  int64_t creator = 0, updator = 0;
};

struct Operation {
  int64_t id = 0;
  int64_t user_id = 0;
  int type = 0;
  int64_t related_id = 0;
  int action = 0;
  absl::Time created_at;
};

// A logged-in session of the web console (web/sessions.h), shared by every web node on the
// database. Only a hash of the token is kept: whoever reads the table cannot use a session.
struct WebSession {
  std::string token_hash;  // hex SHA-256 of the token's random part (64 characters)
  int64_t user_id = 0;
  // Made by logging in with an initial or reset password (web/password_change.h).
  bool forced_password_change = false;
  absl::Time created_at, expires_at;  // whole seconds
};

}  // namespace asgard::store
