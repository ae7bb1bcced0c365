// File: users_test.cc
// Users, groups and operations on both backends: the seeded admin, password hashes (argon2id
// and the original's MD5), uniqueness.
#include "store/password.h"
#include "store/store_test_fixture.h"

namespace asgard::store {
namespace {

class UsersTest : public StoreTest {};

TEST_P(UsersTest, AdminIsSeededWithArgon2idAndMustChangeIt) {
  ASSERT_OK_AND_ASSIGN(User admin, store().FindUser(UserKey::kNickname, "admin"));
  EXPECT_EQ(admin.role, "Administrator");
  EXPECT_EQ(admin.status, 1);
  EXPECT_EQ(admin.email, "admin@admin.com");
  EXPECT_TRUE(admin.must_change_password);
  EXPECT_EQ(admin.password.rfind("$argon2id$", 0), 0u) << admin.password;
  PasswordCheck ok = VerifyPassword(admin, "123456");
  EXPECT_TRUE(ok.ok);
  EXPECT_FALSE(ok.rehash);
  EXPECT_FALSE(VerifyPassword(admin, "1234567").ok);
  EXPECT_TRUE(store().AdminPasswordIsDefault().value_or(false));

  ASSERT_OK(store().SetUserPassword(admin.id, "a much better one", false));
  ASSERT_OK_AND_ASSIGN(admin, store().GetUser(admin.id));
  EXPECT_FALSE(admin.must_change_password);
  EXPECT_TRUE(VerifyPassword(admin, "a much better one").ok);
  EXPECT_FALSE(store().AdminPasswordIsDefault().value_or(true));
}

TEST_P(UsersTest, OriginalMd5PasswordVerifiesOnceAndAsksForRehash) {
  User u;
  u.nickname = "legacy";
  u.salt = "PWxWFtzI";
  u.password = LegacyPasswordHash("123456", u.salt);
  EXPECT_EQ(u.password, "d55d350c7d70b3f5fa295ca05f98af73");  // the original's seed row
  PasswordCheck c = VerifyPassword(u, "123456");
  EXPECT_TRUE(c.ok);
  EXPECT_TRUE(c.rehash);
  EXPECT_FALSE(VerifyPassword(u, "12345").ok);
  u.password = "";
  EXPECT_FALSE(VerifyPassword(u, "").ok);
}

TEST_P(UsersTest, NicknameEmailAndMobileAreUnique) {
  User u;
  u.nickname = "O'Brien \"%_\"";
  u.email = "ob@example.com";
  ASSERT_OK_AND_ASSIGN(User created, store().CreateUser(u, "pw'%"));
  EXPECT_EQ(created.nickname, u.nickname);
  EXPECT_TRUE(VerifyPassword(created, "pw'%").ok);
  ASSERT_OK_AND_ASSIGN(User by_email, store().FindUser(UserKey::kEmail, "ob@example.com"));
  EXPECT_EQ(by_email.id, created.id);

  User same_nick = u;
  same_nick.email = "";
  EXPECT_TRUE(absl::IsAlreadyExists(store().CreateUser(same_nick, "x").status()));
  User same_email;
  same_email.nickname = "other";
  same_email.email = "ob@example.com";
  EXPECT_TRUE(absl::IsAlreadyExists(store().CreateUser(same_email, "x").status()));
  // Empty email and mobile may repeat.
  User a, b;
  a.nickname = "a";
  b.nickname = "b";
  ASSERT_OK(store().CreateUser(a, "x").status());
  ASSERT_OK(store().CreateUser(b, "x").status());
  ASSERT_OK_AND_ASSIGN(auto users, store().ListUsers());
  EXPECT_EQ(users.size(), 4u);  // admin + 3
  EXPECT_TRUE(absl::IsNotFound(store().FindUser(UserKey::kMobile, "").status()));
}

TEST_P(UsersTest, GroupsAndOperations) {
  ASSERT_OK_AND_ASSIGN(Group g, store().CreateGroup("ops 'team' 100%", 1));
  EXPECT_EQ(g.name, "ops 'team' 100%");
  EXPECT_EQ(g.status, 1);
  EXPECT_EQ(g.creator, 1);
  ASSERT_OK_AND_ASSIGN(Group back, store().GetGroup(g.id));
  EXPECT_EQ(back.name, g.name);
  ASSERT_OK_AND_ASSIGN(auto groups, store().ListGroups());
  EXPECT_EQ(groups.size(), 1u);
  Operation op;
  op.user_id = 1;
  op.type = static_cast<int>(TypeCode::kGroup);
  op.related_id = g.id;
  op.action = 1;
  ASSERT_OK_AND_ASSIGN(int64_t id, store().InsertOperation(op));
  EXPECT_GT(id, 0);
}

ASGARD_INSTANTIATE_BACKENDS(UsersTest);

}  // namespace
}  // namespace asgard::store
