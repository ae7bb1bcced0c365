// File: store.cc
// Opening a store (Store::Open, backend choice, migrations) and the agent registry of SqlStore.
#include "store/store.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "store/migrate.h"
#include "store/mysql_conn.h"
#include "store/sql_store.h"
#include "store/sqlite_conn.h"
#include "store/store_internal.h"
#include "store/task_sql.h"
#include "store/wal_checkpointer.h"

namespace asgard::store {
namespace {

constexpr char kAgentSelect[] =
    "SELECT id, alias, ip, port, master, status, uuid, pid, last_heartbeat_at, "
    "assignment_version, created_at, updated_at, key_hash FROM agents";

Agent ReadAgentRow(const SqlRow& row) {
  RowReader r(row);
  Agent a;
  a.id = r.Int();
  a.alias = r.Str();
  a.ip = r.Str();
  a.port = r.Str();
  a.master = r.Str();
  a.status = static_cast<int>(r.Int());
  a.uuid = r.Str();
  a.pid = r.Int();
  a.last_heartbeat_at = r.OptTime();
  a.assignment_version = r.Int();
  a.created_at = r.Time();
  a.updated_at = r.Time();
  a.key_hash = r.Str();
  return a;
}

enum class Role { kWriter, kReader };

// db.path, or <runtime_dir>/asgard.db.
std::string SqlitePath(const config::DbConfig& db, const std::string& runtime_dir) {
  return db.path.empty() ? absl::StrCat(runtime_dir, "/asgard.db") : db.path;
}

absl::StatusOr<std::unique_ptr<SqlConn>> Connect(const config::DbConfig& db,
                                                 const std::string& runtime_dir, Role role) {
  if (db.driver == "mysql") {
    MysqlOptions o{db.host.empty() ? "127.0.0.1" : db.host, db.port, db.user, db.password,
                   db.database};
    o.read_only = role == Role::kReader;
    if (o.database.empty()) return absl::InvalidArgumentError("mysql store: database is empty");
    ASSIGN_OR_RETURN(std::unique_ptr<MysqlConn> conn, MysqlConn::Open(o));
    return std::unique_ptr<SqlConn>(std::move(conn));
  }
  if (db.driver != "sqlite" && !db.driver.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("store driver '", db.driver, "': expected sqlite or mysql"));
  }
  if (db.path.empty()) RETURN_IF_ERROR(MakeDirs(runtime_dir, 0700));
  const std::string path = SqlitePath(db, runtime_dir);
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteConn> conn, role == Role::kReader
                                                         ? SqliteConn::OpenReader(path)
                                                         : SqliteConn::Open(path));
  return std::unique_ptr<SqlConn>(std::move(conn));
}

// A second connection could not reach an in-memory database: it would open another one.
bool CanHaveReaders(const config::DbConfig& db) {
  return db.driver == "mysql" || (db.path != ":memory:" && db.path.rfind("file:", 0) != 0);
}

}  // namespace

namespace internal {

absl::StatusOr<Agent> ReadAgent(SqlConn& conn, int64_t id) {
  ASSIGN_OR_RETURN(auto rows, conn.Query(absl::StrCat(kAgentSelect, " WHERE id = ?"), {id}));
  if (rows.empty()) return absl::NotFoundError(absl::StrCat("agent ", id, " not found"));
  return ReadAgentRow(rows.front());
}

absl::Status BumpVersion(SqlConn& conn, int64_t agent_id) {
  return conn
      .Exec("UPDATE agents SET assignment_version = assignment_version + 1 WHERE id = ?",
            {agent_id})
      .status();
}

}  // namespace internal

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const config::DbConfig& db,
                                                   const std::string& runtime_dir,
                                                   const OpenOptions& options) {
  return SqlStore::Open(db, runtime_dir, options);
}

absl::StatusOr<std::unique_ptr<Store>> Store::OpenOn(std::unique_ptr<SqlConn> conn,
                                                     const OpenOptions& options) {
  return SqlStore::OpenOn(std::move(conn), options);
}

SqlStore::SqlStore(std::unique_ptr<SqlConn> conn, OpenOptions options)
    : backend_(conn->backend()), options_(std::move(options)), conn_(std::move(conn)) {}

SqlStore::~SqlStore() = default;

absl::StatusOr<std::unique_ptr<SqlStore>> SqlStore::Open(const config::DbConfig& db,
                                                         const std::string& runtime_dir,
                                                         const OpenOptions& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqlConn> conn, Connect(db, runtime_dir, Role::kWriter));
  ASSIGN_OR_RETURN(std::unique_ptr<SqlStore> store, OpenOn(std::move(conn), options));
  if (db.driver != "mysql" && CanHaveReaders(db)) {
    ASSIGN_OR_RETURN(store->checkpointer_,
                     WalCheckpointer::Start(SqlitePath(db, runtime_dir),
                                            static_cast<SqliteConn&>(*store->conn_)));
  }
  if (db.driver == "mysql" && options.report_connections > 0) {
    std::vector<std::unique_ptr<SqlConn>> writers;
    for (int i = 0; i < options.report_connections; ++i) {
      ASSIGN_OR_RETURN(std::unique_ptr<SqlConn> writer, Connect(db, runtime_dir, Role::kWriter));
      writers.push_back(std::move(writer));
    }
    store->report_writers_ = std::make_unique<ConnPool>(std::move(writers));
    absl::MutexLock lock(&store->queue_mu_);
    store->free_report_writers_ = options.report_connections;
  }
  if (options.read_connections <= 0 || !CanHaveReaders(db)) return store;
  // After the migration, so that the readers open the current schema.
  std::vector<std::unique_ptr<SqlConn>> readers;
  for (int i = 0; i < options.read_connections; ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<SqlConn> reader, Connect(db, runtime_dir, Role::kReader));
    readers.push_back(std::move(reader));
  }
  store->readers_ = std::make_unique<ConnPool>(std::move(readers));
  return store;
}

absl::StatusOr<std::unique_ptr<SqlStore>> SqlStore::OpenOn(std::unique_ptr<SqlConn> conn,
                                                           const OpenOptions& options) {
  RETURN_IF_ERROR(Migrate(*conn, {options.legacy_zone, options.now()}));
  return std::unique_ptr<SqlStore>(new SqlStore(std::move(conn), options));
}

absl::StatusOr<Agent> SqlStore::RegisterAgent(const AgentRegistration& reg, absl::Time now) {
  WriteLock lock(this);
  SqlConn& c = *conn_;
  Agent agent;
  RETURN_IF_ERROR(InTransaction(c, [&]() -> absl::Status {
    RETURN_IF_ERROR(
        c.Exec(absl::StrCat("INSERT INTO agents (alias, ip, port, master, status, uuid, pid, "
                            "last_heartbeat_at, created_at, updated_at) "
                            "VALUES ('', ?, ?, ?, 1, ?, ?, ?, ?, ?)",
                            IgnoreDuplicateClause(c.backend())),
               {reg.ip, reg.port, reg.master, reg.uuid, reg.pid, now, now, now})
            .status());
    ASSIGN_OR_RETURN(auto rows, c.Query(absl::StrCat(kAgentSelect, " WHERE ip = ? AND port = ?"),
                                        {reg.ip, reg.port}));
    if (rows.empty()) return absl::InternalError("agent row vanished during registration");
    agent = ReadAgentRow(rows.front());
    if (!agent.key_hash.empty() && agent.key_hash != reg.key_hash) {
      // Another machine (or a reinstalled one) claims this address: nothing changes.
      return absl::PermissionDeniedError(absl::StrCat(
          "agent ", reg.ip, ":", reg.port, " (id ", agent.id,
          ") is registered with another agent key; if the host was reinstalled, an "
          "administrator resets the key (console: agents; POST /api/v1/agents/", agent.id,
          "/reset_key)"));
    }
    if (agent.forbidden()) return absl::OkStatus();  // stays forbidden, unchanged
    RETURN_IF_ERROR(c.Exec("UPDATE agents SET status = 1, master = ?, uuid = ?, pid = ?, "
                           "last_heartbeat_at = ?, updated_at = ?, key_hash = ? WHERE id = ?",
                           {reg.master, reg.uuid, reg.pid, now, now, reg.key_hash, agent.id})
                        .status());
    ASSIGN_OR_RETURN(agent, internal::ReadAgent(c, agent.id));
    return absl::OkStatus();
  }));
  return agent;
}

absl::StatusOr<Agent> SqlStore::Heartbeat(int64_t agent_id, absl::Time now) {
  WriteLock lock(this);
  RETURN_IF_ERROR(conn_
                      ->Exec("UPDATE agents SET status = CASE WHEN status = -1 THEN -1 ELSE 1 "
                             "END, last_heartbeat_at = ? WHERE id = ?",
                             {now, agent_id})
                      .status());
  return internal::ReadAgent(*conn_, agent_id);
}

absl::StatusOr<absl::Time> SqlStore::DatabaseTime() {
  WriteLock lock(this);
  SqlConn& c = *conn_;
  // Milliseconds since the epoch, as each server counts them.
  const char* sql = c.backend() == Backend::kMysql
                        ? "SELECT CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS SIGNED)"
                        : "SELECT CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";
  ASSIGN_OR_RETURN(auto rows, c.Query(sql, {}));
  if (rows.empty()) return absl::InternalError("the database returned no time");
  return absl::FromUnixMillis(RowReader(rows[0]).Int());
}

namespace {

std::string LeaderSetting(const std::string& cluster) { return "cluster_leader:" + cluster; }

// The epoch that last claimed `cluster` (0 = none), locked for the transaction on MySQL.
absl::StatusOr<int64_t> ClaimedEpoch(SqlConn& c, const std::string& cluster) {
  ASSIGN_OR_RETURN(auto rows, c.Query(c.backend() == Backend::kMysql
                                          ? "SELECT value FROM settings WHERE name = ? FOR UPDATE"
                                          : "SELECT value FROM settings WHERE name = ?",
                                      {LeaderSetting(cluster)}));
  int64_t epoch = 0;
  if (!rows.empty() && !absl::SimpleAtoi(RowReader(rows[0]).Str(), &epoch)) epoch = 0;
  return epoch;
}

}  // namespace

absl::StatusOr<bool> SqlStore::ClaimLeadership(const LeaderFence& fence) {
  WriteLock lock(this);
  SqlConn& c = *conn_;
  bool claimed = false;
  RETURN_IF_ERROR(InTransaction(c, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(int64_t current, ClaimedEpoch(c, fence.cluster));
    claimed = fence.epoch >= current;
    if (!claimed || fence.epoch == current) return absl::OkStatus();
    const char* upsert =
        c.backend() == Backend::kMysql
            ? "INSERT INTO settings (name, value, created_at) VALUES (?, ?, ?) "
              "ON DUPLICATE KEY UPDATE value = VALUES(value)"
            : "INSERT INTO settings (name, value, created_at) VALUES (?, ?, ?) "
              "ON CONFLICT (name) DO UPDATE SET value = excluded.value";
    return c.Exec(upsert, {LeaderSetting(fence.cluster), std::to_string(fence.epoch),
                           options_.now()})
        .status();
  }));
  return claimed;
}

absl::StatusOr<std::vector<int64_t>> SqlStore::MarkOfflineBefore(absl::Time cutoff) {
  return MarkOffline(cutoff, nullptr);
}

absl::StatusOr<std::vector<int64_t>> SqlStore::MarkOfflineBefore(absl::Time cutoff,
                                                                 const LeaderFence& fence) {
  return MarkOffline(cutoff, &fence);
}

absl::StatusOr<std::vector<int64_t>> SqlStore::MarkOffline(absl::Time cutoff,
                                                           const LeaderFence* fence) {
  WriteLock lock(this);
  SqlConn& c = *conn_;
  std::vector<int64_t> ids;
  RETURN_IF_ERROR(InTransaction(c, [&]() -> absl::Status {
    ids.clear();
    if (fence != nullptr) {
      ASSIGN_OR_RETURN(int64_t claimed, ClaimedEpoch(c, fence->cluster));
      if (claimed > fence->epoch) {
        return absl::FailedPreconditionError(absl::StrCat(
            "a later leader of cluster ", fence->cluster, " (epoch ", claimed,
            ") has taken over from epoch ", fence->epoch, ": not sweeping"));
      }
    }
    ASSIGN_OR_RETURN(auto rows, c.Query("SELECT id FROM agents WHERE status = 1 AND "
                                        "(last_heartbeat_at IS NULL OR last_heartbeat_at < ?)",
                                        {cutoff}));
    for (const SqlRow& row : rows) ids.push_back(RowReader(row).Int());
    // A few statements per 256 agents, not seven per agent: when a network partition takes a
    // thousand agents away at once, this transaction holds the writer (and every report behind
    // it) for milliseconds instead of seconds.
    return internal::ForIdLists(ids, [&](const std::string& in, const SqlParams& params) {
      RETURN_IF_ERROR(c.Exec(absl::StrCat("UPDATE agents SET status = 0 WHERE id", in), params)
                          .status());
      for (TaskKind kind : {TaskKind::kApp, TaskKind::kJob, TaskKind::kTiming}) {
        std::string table = TaskTable(kind);
        RETURN_IF_ERROR(c.Exec(absl::StrCat("UPDATE `", table,
                                            "` SET state = 'unknown' WHERE "
                                            "status <> -1 AND agent_id",
                                            in),
                               params)
                            .status());
        RETURN_IF_ERROR(c.Exec(absl::StrCat("UPDATE `", table, "` SET status = ",
                                            StatusCase(kind, DeriveMode::kOffline),
                                            " WHERE status <> -1 AND agent_id", in),
                               params)
                            .status());
      }
      return absl::OkStatus();
    });
  }));
  return ids;
}

absl::StatusOr<Agent> SqlStore::GetAgent(int64_t id) {
  return Read([&](SqlConn& c) { return internal::ReadAgent(c, id); });
}

absl::StatusOr<std::map<int64_t, Agent>> SqlStore::GetAgents(const std::vector<int64_t>& ids) {
  if (ids.empty()) return std::map<int64_t, Agent>();
  return Read([&](SqlConn& c) { return internal::ReadByIds(c, kAgentSelect, ids, &ReadAgentRow); });
}

absl::StatusOr<Agent> SqlStore::FindAgent(const std::string& ip, const std::string& port) {
  return Read([&](SqlConn& c) -> absl::StatusOr<Agent> {
    ASSIGN_OR_RETURN(auto rows,
                     c.Query(absl::StrCat(kAgentSelect, " WHERE ip = ? AND port = ?"), {ip, port}));
    if (rows.empty()) {
      return absl::NotFoundError(absl::StrCat("agent ", ip, ":", port, " not found"));
    }
    return ReadAgentRow(rows.front());
  });
}

absl::StatusOr<std::vector<Agent>> SqlStore::ListAgents() {
  return Read([&](SqlConn& c) -> absl::StatusOr<std::vector<Agent>> {
    ASSIGN_OR_RETURN(auto rows, c.Query(absl::StrCat(kAgentSelect, " ORDER BY id")));
    std::vector<Agent> agents;
    for (const SqlRow& row : rows) agents.push_back(ReadAgentRow(row));
    return agents;
  });
}

absl::StatusOr<int64_t> SqlStore::AssignmentVersion(int64_t agent_id) {
  return Read([&](SqlConn& c) -> absl::StatusOr<int64_t> {
    ASSIGN_OR_RETURN(Agent agent, internal::ReadAgent(c, agent_id));
    return agent.assignment_version;
  });
}

absl::Status SqlStore::ForbidAgent(int64_t agent_id, int64_t user_id) {
  WriteLock lock(this);
  SqlConn& c = *conn_;
  absl::Time now = options_.now();
  return InTransaction(c, [&]() -> absl::Status {
    RETURN_IF_ERROR(internal::ReadAgent(c, agent_id).status());
    RETURN_IF_ERROR(
        c.Exec("UPDATE agents SET status = -1, updated_at = ? WHERE id = ?", {now, agent_id})
            .status());
    for (TaskKind kind : {TaskKind::kApp, TaskKind::kJob, TaskKind::kTiming}) {
      RETURN_IF_ERROR(c.Exec(absl::StrCat("UPDATE `", TaskTable(kind),
                                          "` SET status = -1, updator = ?, updated_at = ? "
                                          "WHERE agent_id = ? AND status <> -1"),
                             {user_id, now, agent_id})
                          .status());
    }
    return internal::BumpVersion(c, agent_id);
  });
}

absl::Status SqlStore::SetAgentAlias(int64_t agent_id, const std::string& alias) {
  WriteLock lock(this);
  SqlConn& c = *conn_;
  return InTransaction(c, [&]() -> absl::Status {
    RETURN_IF_ERROR(internal::ReadAgent(c, agent_id).status());
    return c
        .Exec("UPDATE agents SET alias = ?, updated_at = ? WHERE id = ?",
              {alias, options_.now(), agent_id})
        .status();
  });
}

absl::Status SqlStore::ResetAgentKey(int64_t agent_id) {
  WriteLock lock(this);
  SqlConn& c = *conn_;
  return InTransaction(c, [&]() -> absl::Status {
    RETURN_IF_ERROR(internal::ReadAgent(c, agent_id).status());
    return c
        .Exec("UPDATE agents SET key_hash = '', updated_at = ? WHERE id = ?",
              {options_.now(), agent_id})
        .status();
  });
}

absl::StatusOr<std::map<int, int64_t>> SqlStore::CountAgentsByStatus() {
  return Read([&](SqlConn& c) -> absl::StatusOr<std::map<int, int64_t>> {
    ASSIGN_OR_RETURN(auto rows, c.Query("SELECT status, COUNT(*) FROM agents GROUP BY status"));
    return internal::ReadCounts(rows);
  });
}

}  // namespace asgard::store
