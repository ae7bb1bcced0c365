// File: store_users.cc
// Users, groups and the operation log: what the web node needs first (it will extend these).
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/password.h"
#include "store/store.h"

namespace asgard::store {
namespace {

constexpr char kUserSelect[] =
    "SELECT id, nickname, avatar, email, mobile, role, salt, password, status, "
    "must_change_password, created_at, updated_at FROM users";
constexpr char kGroupSelect[] =
    "SELECT id, name, status, created_at, updated_at, creator, updator FROM `groups`";

User ReadUser(const SqlRow& row) {
  RowReader r(row);
  User u;
  u.id = r.Int();
  u.nickname = r.Str();
  u.avatar = r.Str();
  u.email = r.Str();
  u.mobile = r.Str();
  u.role = r.Str();
  u.salt = r.Str();
  u.password = r.Str();
  u.status = static_cast<int>(r.Int());
  u.must_change_password = r.Int() != 0;
  u.created_at = r.Time();
  u.updated_at = r.Time();
  return u;
}

Group ReadGroup(const SqlRow& row) {
  RowReader r(row);
  Group g;
  g.id = r.Int();
  g.name = r.Str();
  g.status = static_cast<int>(r.Int());
  g.created_at = r.Time();
  g.updated_at = r.Time();
  g.creator = r.Int();
  g.updator = r.Int();
  return g;
}

const char* KeyColumn(UserKey key) {
  switch (key) {
    case UserKey::kEmail:
      return "email";
    case UserKey::kMobile:
      return "mobile";
    case UserKey::kNickname:
      break;
  }
  return "nickname";
}

absl::StatusOr<User> ReadUserWhere(SqlConn& c, const char* column, const SqlParam& value) {
  ASSIGN_OR_RETURN(auto rows,
                   c.Query(absl::StrCat(kUserSelect, " WHERE ", column, " = ?"), {value}));
  if (rows.empty()) return absl::NotFoundError("user not found");
  return ReadUser(rows.front());
}

absl::Status RequireUnused(SqlConn& c, const char* column, const std::string& value) {
  if (value.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(
      int64_t n,
      c.QueryInt(absl::StrCat("SELECT COUNT(*) FROM users WHERE ", column, " = ?"), {value}));
  if (n == 0) return absl::OkStatus();
  return absl::AlreadyExistsError(absl::StrCat("a user with this ", column, " already exists"));
}

}  // namespace

absl::StatusOr<User> Store::CreateUser(const User& user, const std::string& plain_password) {
  if (user.nickname.empty()) return absl::InvalidArgumentError("user nickname is empty");
  ASSIGN_OR_RETURN(std::string hash, HashPassword(plain_password));  // slow: outside the lock
  absl::MutexLock lock(&mu_);
  SqlConn& c = *conn_;
  absl::Time now = options_.now();
  int64_t id = 0;
  RETURN_IF_ERROR(InTransaction(c, [&]() -> absl::Status {
    RETURN_IF_ERROR(RequireUnused(c, "nickname", user.nickname));
    RETURN_IF_ERROR(RequireUnused(c, "email", user.email));
    RETURN_IF_ERROR(RequireUnused(c, "mobile", user.mobile));
    ASSIGN_OR_RETURN(ExecResult r,
                     c.Exec("INSERT INTO users (nickname, avatar, email, mobile, role, salt, "
                            "password, status, must_change_password, created_at, updated_at) "
                            "VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?)",
                            {user.nickname, user.avatar, user.email, user.mobile, user.role, hash,
                             user.status, user.must_change_password, now, now}));
    id = r.last_insert_id;
    return absl::OkStatus();
  }));
  return ReadUserWhere(c, "id", id);
}

absl::StatusOr<User> Store::GetUser(int64_t id) {
  absl::MutexLock lock(&mu_);
  return ReadUserWhere(*conn_, "id", id);
}

absl::StatusOr<User> Store::FindUser(UserKey key, const std::string& value) {
  if (value.empty()) return absl::NotFoundError("user not found");
  absl::MutexLock lock(&mu_);
  return ReadUserWhere(*conn_, KeyColumn(key), value);
}

absl::StatusOr<std::vector<User>> Store::ListUsers() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(auto rows, conn_->Query(absl::StrCat(kUserSelect, " ORDER BY id")));
  std::vector<User> users;
  for (const SqlRow& row : rows) users.push_back(ReadUser(row));
  return users;
}

absl::Status Store::SetUserPassword(int64_t id, const std::string& plain, bool must_change) {
  ASSIGN_OR_RETURN(std::string hash, HashPassword(plain));
  absl::MutexLock lock(&mu_);
  SqlConn& c = *conn_;
  return InTransaction(c, [&]() -> absl::Status {
    RETURN_IF_ERROR(ReadUserWhere(c, "id", id).status());
    return c
        .Exec(
            "UPDATE users SET password = ?, salt = '', must_change_password = ?, "
            "updated_at = ? WHERE id = ?",
            {hash, must_change, options_.now(), id})
        .status();
  });
}

absl::StatusOr<bool> Store::AdminPasswordIsDefault() {
  absl::StatusOr<User> admin = FindUser(UserKey::kNickname, kAdminNickname);
  if (absl::IsNotFound(admin.status())) return false;
  if (!admin.ok()) return admin.status();
  return VerifyPassword(*admin, kAdminDefaultPassword).ok;
}

absl::StatusOr<Group> Store::CreateGroup(const std::string& name, int64_t user_id) {
  absl::MutexLock lock(&mu_);
  absl::Time now = options_.now();
  ASSIGN_OR_RETURN(int64_t same, conn_->QueryInt("SELECT COUNT(*) FROM `groups` WHERE name = ? "
                                                 "AND status <> -1",
                                                 {name}));
  if (same > 0) return absl::AlreadyExistsError("name: a group '" + name + "' already exists");
  ASSIGN_OR_RETURN(ExecResult r, conn_->Exec("INSERT INTO `groups` (name, status, created_at, "
                                             "creator, updated_at, updator) "
                                             "VALUES (?, 1, ?, ?, ?, ?)",
                                             {name, now, user_id, now, user_id}));
  ASSIGN_OR_RETURN(auto rows,
                   conn_->Query(absl::StrCat(kGroupSelect, " WHERE id = ?"), {r.last_insert_id}));
  if (rows.empty()) return absl::InternalError("group row vanished after insert");
  return ReadGroup(rows.front());
}

absl::StatusOr<Group> Store::GetGroup(int64_t id) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(auto rows, conn_->Query(absl::StrCat(kGroupSelect, " WHERE id = ?"), {id}));
  if (rows.empty()) return absl::NotFoundError(absl::StrCat("group ", id, " not found"));
  return ReadGroup(rows.front());
}

absl::StatusOr<std::vector<Group>> Store::ListGroups() {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(auto rows,
                   conn_->Query(absl::StrCat(kGroupSelect, " WHERE status <> -1 ORDER BY id")));
  std::vector<Group> groups;
  for (const SqlRow& row : rows) groups.push_back(ReadGroup(row));
  return groups;
}

absl::StatusOr<int64_t> Store::InsertOperation(const Operation& op) {
  absl::MutexLock lock(&mu_);
  absl::Time created = op.created_at == absl::Time() ? options_.now() : op.created_at;
  ASSIGN_OR_RETURN(ExecResult r,
                   conn_->Exec("INSERT INTO operations (user_id, type, related_id, "
                               "action, created_at) VALUES (?, ?, ?, ?, ?)",
                               {op.user_id, op.type, op.related_id, op.action, created}));
  return r.last_insert_id;
}

}  // namespace asgard::store
