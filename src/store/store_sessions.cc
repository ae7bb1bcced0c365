// File: store_sessions.cc
// The web console's sessions (by token hash) and the settings every node shares (the generated
// session secret). Their writes take the writer's lock but are not counted in WriteCount (see
// store.h): no cached answer reads these tables.
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/sql_store.h"

namespace asgard::store {
namespace {

constexpr char kSessionSelect[] =
    "SELECT token_hash, user_id, forced_password_change, created_at, expires_at "
    "FROM web_sessions WHERE token_hash = ?";

// The sizes of the columns (schema_mysql.cc, schema_sqlite.cc).
constexpr size_t kTokenHashBytes = 64;
constexpr size_t kMaxSettingName = 100;
constexpr size_t kMaxSettingValue = 1000;

WebSession ReadSession(const SqlRow& row) {
  RowReader r(row);
  WebSession s;
  s.token_hash = r.Str();
  s.user_id = r.Int();
  s.forced_password_change = r.Int() != 0;
  s.created_at = r.Time();
  s.expires_at = r.Time();
  return s;
}

absl::Status CheckTokenHash(const std::string& hash) {
  if (hash.size() == kTokenHashBytes) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("session token hash: ", hash.size(), " characters, expected ", kTokenHashBytes));
}

}  // namespace

absl::Status SqlStore::CreateSession(const WebSession& session) {
  RETURN_IF_ERROR(CheckTokenHash(session.token_hash));
  absl::MutexLock lock(&mu_);
  return conn_
      ->Exec("INSERT INTO web_sessions (token_hash, user_id, forced_password_change, created_at, "
             "expires_at) VALUES (?, ?, ?, ?, ?)",
             {session.token_hash, session.user_id, session.forced_password_change,
              session.created_at, session.expires_at})
      .status();
}

absl::StatusOr<WebSession> SqlStore::GetSession(const std::string& token_hash) {
  return Read([&](SqlConn& c) -> absl::StatusOr<WebSession> {
    ASSIGN_OR_RETURN(auto rows, c.Query(kSessionSelect, {token_hash}));
    if (rows.empty()) return absl::NotFoundError("no such session");
    return ReadSession(rows.front());
  });
}

absl::Status SqlStore::DeleteSession(const std::string& token_hash) {
  absl::MutexLock lock(&mu_);
  return conn_->Exec("DELETE FROM web_sessions WHERE token_hash = ?", {token_hash}).status();
}

absl::Status SqlStore::DeleteUserSessions(int64_t user_id) {
  absl::MutexLock lock(&mu_);
  return conn_->Exec("DELETE FROM web_sessions WHERE user_id = ?", {user_id}).status();
}

absl::StatusOr<int> SqlStore::DeleteExpiredSessions(absl::Time now, int limit) {
  if (limit <= 0) return 0;
  // SQLite takes no LIMIT on DELETE (unless built with an option Debian's is not) and MariaDB
  // no LIMIT in an IN subquery: one statement each.
  const char* sql =
      backend_ == Backend::kSqlite
          ? "DELETE FROM web_sessions WHERE token_hash IN (SELECT token_hash FROM web_sessions "
            "WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)"
          : "DELETE FROM web_sessions WHERE expires_at <= ? ORDER BY expires_at LIMIT ?";
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(ExecResult r, conn_->Exec(sql, {now, limit}));
  return static_cast<int>(r.affected);
}

absl::StatusOr<std::string> SqlStore::GetOrCreateSetting(const std::string& name,
                                                         const std::string& value_if_absent) {
  if (name.empty() || name.size() > kMaxSettingName || value_if_absent.size() > kMaxSettingValue) {
    return absl::InvalidArgumentError(absl::StrCat("setting '", name.substr(0, kMaxSettingName),
                                                   "': a name of 1 to ", kMaxSettingName,
                                                   " bytes and a value of at most ",
                                                   kMaxSettingValue, " bytes"));
  }
  // Insert-if-absent, then read back on the same connection: whoever inserted first (here or
  // in another process) decides the value, and every caller reads that one.
  const char* insert =
      backend_ == Backend::kSqlite
          ? "INSERT INTO settings (name, value, created_at) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING"
          : "INSERT INTO settings (name, value, created_at) VALUES (?, ?, ?) "
            "ON DUPLICATE KEY UPDATE name = name";
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(conn_->Exec(insert, {name, value_if_absent, options_.now()}).status());
  ASSIGN_OR_RETURN(SqlRow row,
                   conn_->QueryRow("SELECT value FROM settings WHERE name = ?", {name}));
  return RowReader(row).Str();
}

}  // namespace asgard::store
