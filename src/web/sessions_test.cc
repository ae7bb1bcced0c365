#include "web/sessions.h"

#include <thread>

#include "gtest/gtest.h"
#include "store/forwarding_store_for_test.h"
#include "store/store_test_fixture.h"

namespace asgard::web {
namespace {

using std::chrono::steady_clock;

// A web node's view: the sessions over a real SQLite store shared with the other "nodes" of
// the test.
class SessionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, store::TestDatabase::Create(store::TestBackend::kSqlite));
    ASSERT_OK_AND_ASSIGN(store_, db_->Open());
  }

  int64_t StoredRows() {
    auto conn = db_->Connect();
    EXPECT_TRUE(conn.ok()) << conn.status();
    if (!conn.ok()) return -1;
    return (*conn)->QueryInt("SELECT COUNT(*) FROM web_sessions", {}).value_or(-1);
  }

  std::string NewToken(Sessions& sessions, int64_t user_id, bool forced = false) {
    auto made = sessions.Create(user_id, forced);
    EXPECT_TRUE(made.ok()) << made.status();
    return made.ok() ? made->first : "";
  }

  std::unique_ptr<store::TestDatabase> db_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(SessionsTest, TokenIdentifiesItsUserUntilRevoked) {
  Sessions sessions(*store_, "secret-one");
  std::string token = NewToken(sessions, 7);
  auto s = sessions.Check(token);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->user_id, 7);
  ASSERT_TRUE(sessions.Revoke(token).ok());
  EXPECT_TRUE(absl::IsUnauthenticated(sessions.Check(token).status()));
}

TEST_F(SessionsTest, AlteredOrForeignTokensAreRefused) {
  Sessions a(*store_, "secret-one"), b(*store_, "secret-two");
  std::string token = NewToken(a, 1);
  std::string altered = token;
  altered[0] = altered[0] == 'a' ? 'b' : 'a';
  EXPECT_TRUE(absl::IsUnauthenticated(a.Check(altered).status()));
  EXPECT_TRUE(absl::IsUnauthenticated(a.Check(token.substr(0, token.find('.'))).status()));
  EXPECT_TRUE(absl::IsUnauthenticated(b.Check(token).status()));  // same store, other secret
  EXPECT_TRUE(absl::IsUnauthenticated(a.Check("").status()));
}

TEST_F(SessionsTest, RevokeUserEndsEveryTokenOfThatUserOnly) {
  Sessions sessions(*store_, "s");
  auto t1 = NewToken(sessions, 1);
  auto t2 = NewToken(sessions, 1);
  auto other = NewToken(sessions, 2);
  ASSERT_TRUE(sessions.Check(t1).ok());  // cached: the revocation must reach the cache too
  ASSERT_TRUE(sessions.RevokeUser(1).ok());
  EXPECT_FALSE(sessions.Check(t1).ok());
  EXPECT_FALSE(sessions.Check(t2).ok());
  EXPECT_TRUE(sessions.Check(other).ok());
}

TEST_F(SessionsTest, ExpiredTokensAreRefused) {
  Sessions sessions(*store_, "s", std::chrono::seconds(0));
  auto token = NewToken(sessions, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_TRUE(absl::IsUnauthenticated(sessions.Check(token).status()));
}

TEST_F(SessionsTest, OnlyASessionMadeForTheForcedChangeCarriesItsFlag) {
  Sessions sessions(*store_, "s");
  auto forced = NewToken(sessions, 1, /*forced=*/true);
  auto normal = NewToken(sessions, 1);
  EXPECT_TRUE(sessions.Check(forced)->forced_password_change);
  EXPECT_FALSE(sessions.Check(normal)->forced_password_change);
}

TEST_F(SessionsTest, ASessionOutlivesTheNodeThatMadeIt) {
  std::string token;
  {
    Sessions before_restart(*store_, "s");
    token = NewToken(before_restart, 4, /*forced=*/true);
  }
  Sessions after_restart(*store_, "s");
  auto s = after_restart.Check(token);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->user_id, 4);
  EXPECT_TRUE(s->forced_password_change);
}

TEST_F(SessionsTest, TheStoreKeepsAHashNeverTheToken) {
  Sessions sessions(*store_, "s");
  std::string token = NewToken(sessions, 1);
  std::string id = token.substr(0, token.find('.'));
  ASSERT_OK_AND_ASSIGN(auto conn, db_->Connect());
  ASSERT_OK_AND_ASSIGN(auto rows, conn->Query("SELECT * FROM web_sessions", {}));
  ASSERT_EQ(rows.size(), 1u);
  for (const store::SqlCell& cell : rows[0]) {
    EXPECT_EQ(cell.value_or("").find(id), std::string::npos) << *cell;
  }
}

TEST_F(SessionsTest, ALoginCleansUpExpiredSessions) {
  auto now = std::chrono::system_clock::now();
  auto wall = [&now] { return now; };
  Sessions sessions(*store_, "s", std::chrono::hours(1), wall);
  for (int i = 0; i < 3; ++i) NewToken(sessions, 1);
  EXPECT_EQ(StoredRows(), 3);
  now += std::chrono::hours(2);
  NewToken(sessions, 2);
  EXPECT_EQ(StoredRows(), 1);  // only the new one
}

// Two nodes on one store: what one revokes, the other refuses once its cache entry is older
// than kSessionCacheTtl; the node that revoked refuses at once.
TEST_F(SessionsTest, ARevocationReachesAnotherNodeWithinTheCacheBound) {
  steady_clock::time_point now = steady_clock::now();
  auto clock = [&now] { return now; };
  Sessions a(*store_, "s", std::chrono::hours(12), &std::chrono::system_clock::now, clock);
  Sessions b(*store_, "s", std::chrono::hours(12), &std::chrono::system_clock::now, clock);
  std::string token = NewToken(a, 3);
  ASSERT_TRUE(a.Check(token).ok());
  ASSERT_TRUE(b.Check(token).ok());  // B caches it
  ASSERT_TRUE(a.Revoke(token).ok());
  EXPECT_TRUE(absl::IsUnauthenticated(a.Check(token).status()));  // at once on A
  EXPECT_TRUE(b.Check(token).ok());  // B's cache, still inside the bound
  now += kSessionCacheTtl;
  EXPECT_TRUE(absl::IsUnauthenticated(b.Check(token).status()));
}

// With Redis, A announces what it revoked (on_revoke) and B forgets it at once (as WebApi wires
// them through NodeBus): no wait for the cache bound.
TEST_F(SessionsTest, AnAnnouncedRevocationIsRefusedAtOnceElsewhere) {
  steady_clock::time_point now = steady_clock::now();
  auto clock = [&now] { return now; };
  Sessions* other = nullptr;
  std::vector<std::pair<std::string, int64_t>> announced;
  Sessions a(*store_, "s", std::chrono::hours(12), &std::chrono::system_clock::now, clock,
             [&](const std::string& hash, int64_t user) {
               announced.emplace_back(hash, user);
               if (!hash.empty()) other->ForgetHash(hash);
               if (hash.empty()) other->ForgetUser(user);
             });
  Sessions b(*store_, "s", std::chrono::hours(12), &std::chrono::system_clock::now, clock);
  other = &b;
  std::string token = NewToken(a, 3);
  ASSERT_TRUE(b.Check(token).ok());  // B caches it
  ASSERT_TRUE(a.Revoke(token).ok());
  EXPECT_TRUE(absl::IsUnauthenticated(b.Check(token).status()));  // at once, same clock
  ASSERT_EQ(announced.size(), 1u);
  EXPECT_EQ(announced[0].first.size(), 64u);  // the SHA-256 of the token, never the token
  EXPECT_EQ(token.find(announced[0].first), std::string::npos);

  std::string second = NewToken(a, 4);
  ASSERT_TRUE(b.Check(second).ok());
  ASSERT_TRUE(a.RevokeUser(4).ok());
  EXPECT_TRUE(absl::IsUnauthenticated(b.Check(second).status()));
  ASSERT_EQ(announced.size(), 2u);
  EXPECT_EQ(announced[1], (std::pair<std::string, int64_t>{"", 4}));
}

TEST_F(SessionsTest, CheckCachedAnswersWithoutTheStoreOrSaysItCannot) {
  Sessions sessions(*store_, "s");
  std::string token = NewToken(sessions, 5);
  EXPECT_FALSE(sessions.CheckCached(token).has_value());  // only the store knows it yet
  ASSERT_TRUE(sessions.Check(token).ok());
  auto cached = sessions.CheckCached(token);
  ASSERT_TRUE(cached.has_value());
  ASSERT_TRUE(cached->ok());
  EXPECT_EQ((*cached)->user_id, 5);
  auto forged = sessions.CheckCached("abc.def");
  ASSERT_TRUE(forged.has_value());
  EXPECT_TRUE(absl::IsUnauthenticated(forged->status()));
}

class SessionsDown final : public store::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  absl::StatusOr<store::WebSession> GetSession(const std::string&) override {
    return absl::UnavailableError("database gone");
  }
};

TEST_F(SessionsTest, AStoreErrorIsNotALogout) {
  Sessions maker(*store_, "s");
  std::string token = NewToken(maker, 1);
  SessionsDown down(*store_);
  Sessions sessions(down, "s");
  EXPECT_TRUE(absl::IsUnavailable(sessions.Check(token).status()));
}

TEST(TokenFromAuthorizationTest, BearerInAnyCaseOrABareToken) {
  EXPECT_EQ(TokenFromAuthorization("Bearer abc.def"), "abc.def");
  EXPECT_EQ(TokenFromAuthorization("bearer abc.def"), "abc.def");
  EXPECT_EQ(TokenFromAuthorization("BEARER   abc.def "), "abc.def");
  // The original's clients send the token alone.
  EXPECT_EQ(TokenFromAuthorization("abc.def"), "abc.def");
  EXPECT_EQ(TokenFromAuthorization(" abc.def\t"), "abc.def");
}

TEST(TokenFromAuthorizationTest, NothingForAnotherSchemeOrNoToken) {
  // A proxy's Basic credentials must leave the session cookie in charge.
  EXPECT_EQ(TokenFromAuthorization("Basic dXNlcjpwYXNz"), std::nullopt);
  EXPECT_EQ(TokenFromAuthorization(""), std::nullopt);
  EXPECT_EQ(TokenFromAuthorization("   "), std::nullopt);
  // One word is taken as a token (and refused by Check).
  EXPECT_EQ(TokenFromAuthorization("Bearer"), "Bearer");
  EXPECT_EQ(TokenFromAuthorization("Bearer   "), "Bearer");
}

}  // namespace
}  // namespace asgard::web
