// File: store_users.cc
// Users: accounts with unique nickname (and email and mobile when given), argon2id passwords.
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "store/password.h"
#include "store/run_as.h"
#include "store/sql_store.h"
#include "store/store_internal.h"

namespace asgard::store {
namespace {

constexpr char kUserSelect[] =
    "SELECT id, nickname, avatar, email, mobile, role, salt, password, status, "
    "must_change_password, created_at, updated_at, run_as FROM users";

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
  // Written through ParseRunAsList only; a hand-edited bad entry grants nothing.
  u.run_as = ParseRunAsList(r.Str()).value_or(std::vector<std::string>{});
  return u;
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

// AlreadyExists (naming `column`) if a user other than `except_id` has this non-empty value.
absl::Status RequireUnused(SqlConn& c, const char* column, const std::string& value,
                           int64_t except_id = 0) {
  if (value.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(int64_t n, c.QueryInt(absl::StrCat("SELECT COUNT(*) FROM users WHERE ", column,
                                                      " = ? AND id <> ?"),
                                         {value, except_id}));
  if (n == 0) return absl::OkStatus();
  return absl::AlreadyExistsError(absl::StrCat(column, ": a user with this ", column,
                                               " already exists"));
}

bool IsRole(const std::string& role) { return role == "Administrator" || role == "User"; }

}  // namespace

namespace internal {

absl::StatusOr<std::string> AllowedRunAs(SqlConn& conn, int64_t user_id, const std::string& user) {
  if (user.empty() || user_id == 0) return user;
  absl::StatusOr<User> writer = ReadUserWhere(conn, "id", user_id);
  if (absl::IsNotFound(writer.status())) return std::string();  // nobody's rights: none
  if (!writer.ok()) return writer.status();
  return MayRunAs(RightsOf(*writer), user) ? user : std::string();
}

}  // namespace internal

absl::StatusOr<User> SqlStore::CreateUser(const User& user, const std::string& plain_password) {
  if (user.nickname.empty()) return absl::InvalidArgumentError("user nickname is empty");
  if (!IsRole(user.role)) return absl::InvalidArgumentError("role: must be Administrator or User");
  ASSIGN_OR_RETURN(std::string hash, HashPassword(plain_password));  // slow: outside the lock
  WriteLock lock(this);
  SqlConn& c = *conn_;
  absl::Time now = options_.now();
  int64_t id = 0;
  RETURN_IF_ERROR(InTransaction(c, [&]() -> absl::Status {
    RETURN_IF_ERROR(RequireUnused(c, "nickname", user.nickname));
    RETURN_IF_ERROR(RequireUnused(c, "email", user.email));
    RETURN_IF_ERROR(RequireUnused(c, "mobile", user.mobile));
    ASSIGN_OR_RETURN(ExecResult r,
                     c.Exec("INSERT INTO users (nickname, avatar, email, mobile, role, salt, "
                            "password, status, must_change_password, created_at, updated_at, "
                            "run_as) VALUES (?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?)",
                            {user.nickname, user.avatar, user.email, user.mobile, user.role, hash,
                             user.status, user.must_change_password, now, now,
                             JoinRunAsList(user.run_as)}));
    id = r.last_insert_id;
    return absl::OkStatus();
  }));
  return ReadUserWhere(c, "id", id);
}

absl::StatusOr<User> SqlStore::GetUser(int64_t id) {
  return Read([&](SqlConn& c) { return ReadUserWhere(c, "id", id); });
}

absl::StatusOr<User> SqlStore::FindUser(UserKey key, const std::string& value) {
  if (value.empty()) return absl::NotFoundError("user not found");
  return Read([&](SqlConn& c) { return ReadUserWhere(c, KeyColumn(key), value); });
}

absl::StatusOr<std::vector<User>> SqlStore::ListUsers() {
  return Read([&](SqlConn& c) -> absl::StatusOr<std::vector<User>> {
    ASSIGN_OR_RETURN(auto rows, c.Query(absl::StrCat(kUserSelect, " ORDER BY id")));
    std::vector<User> users;
    for (const SqlRow& row : rows) users.push_back(ReadUser(row));
    return users;
  });
}

absl::Status SqlStore::SetUserPassword(int64_t id, const std::string& plain, bool must_change) {
  ASSIGN_OR_RETURN(std::string hash, HashPassword(plain));
  WriteLock lock(this);
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

absl::StatusOr<bool> SqlStore::AdminPasswordIsDefault() {
  absl::StatusOr<User> admin = FindUser(UserKey::kNickname, kAdminNickname);
  if (absl::IsNotFound(admin.status())) return false;
  if (!admin.ok()) return admin.status();
  return VerifyPassword(*admin, kAdminDefaultPassword).ok;
}

absl::StatusOr<User> SqlStore::UpdateUser(int64_t id, const UserUpdate& update,
                                          std::vector<TaskRef>* rechecked) {
  if (update.nickname && update.nickname->empty()) {
    return absl::InvalidArgumentError("nickname: must not be empty");
  }
  if (update.role && !IsRole(*update.role)) {
    return absl::InvalidArgumentError("role: must be Administrator or User");
  }
  WriteLock lock(this);
  SqlConn& c = *conn_;
  absl::Time now = options_.now();
  std::vector<TaskRef> touched;
  RETURN_IF_ERROR(InTransaction(c, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(User before, ReadUserWhere(c, "id", id));
    if (update.nickname) RETURN_IF_ERROR(RequireUnused(c, "nickname", *update.nickname, id));
    if (update.email) RETURN_IF_ERROR(RequireUnused(c, "email", *update.email, id));
    if (update.mobile) RETURN_IF_ERROR(RequireUnused(c, "mobile", *update.mobile, id));
    std::string set = "updated_at = ?";
    SqlParams params = {now};
    for (const auto& [column, value] :
         {std::pair{"nickname", &update.nickname}, std::pair{"email", &update.email},
          std::pair{"mobile", &update.mobile}, std::pair{"avatar", &update.avatar},
          std::pair{"role", &update.role}}) {
      if (!value->has_value()) continue;
      absl::StrAppend(&set, ", ", column, " = ?");  // column names are the fixed ones above
      params.push_back(**value);
    }
    if (update.run_as) {
      absl::StrAppend(&set, ", run_as = ?");
      params.push_back(JoinRunAsList(*update.run_as));
    }
    params.push_back(id);
    RETURN_IF_ERROR(
        c.Exec(absl::StrCat("UPDATE users SET ", set, " WHERE id = ?"), params).status());
    ASSIGN_OR_RETURN(User after, ReadUserWhere(c, "id", id));
    if (after.role == before.role && after.run_as == before.run_as) return absl::OkStatus();
    // The user's rights changed: their tasks are re-checked in this same transaction.
    ASSIGN_OR_RETURN(touched, internal::RecheckRunAs(c, after, now));
    return absl::OkStatus();
  }));
  if (rechecked != nullptr) *rechecked = std::move(touched);
  return ReadUserWhere(c, "id", id);
}

absl::Status SqlStore::SetUserStatus(int64_t id, int status) {
  if (status != 1 && status != 0 && status != -1) {
    return absl::InvalidArgumentError(
        absl::StrCat("status ", status, ": must be 1 (normal), 0 (unverified) or -1 (forbidden)"));
  }
  WriteLock lock(this);
  SqlConn& c = *conn_;
  return InTransaction(c, [&]() -> absl::Status {
    RETURN_IF_ERROR(ReadUserWhere(c, "id", id).status());
    return c
        .Exec("UPDATE users SET status = ?, updated_at = ? WHERE id = ?",
              {status, options_.now(), id})
        .status();
  });
}

}  // namespace asgard::store
