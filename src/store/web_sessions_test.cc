// File: web_sessions_test.cc
// The web console's sessions and the shared settings, on both backends: a session is found by
// its token hash until deleted (alone or with every session of its user), expired rows go a
// bounded number at a time, two stores on one database see each other's writes, and a setting
// is decided once by whoever stores it first.
#include <thread>
#include <vector>

#include "store/store_test_fixture.h"

namespace asgard::store {
namespace {

// A token hash as web/sessions.cc makes it (64 hex characters); `n` makes it unique.
std::string Hash(int n) {
  std::string h = absl::StrCat(n);
  return std::string(64 - h.size(), 'a') + h;
}

WebSession Session(int n, int64_t user_id, absl::Time expires = T0() + absl::Hours(12)) {
  return WebSession{Hash(n), user_id, false, T0(), expires};
}

class WebSessionsTest : public StoreTest {};

TEST_P(WebSessionsTest, SessionIsFoundByItsHashUntilDeleted) {
  WebSession s = Session(1, 7);
  s.forced_password_change = true;
  ASSERT_OK(store().CreateSession(s));
  ASSERT_OK_AND_ASSIGN(WebSession got, store().GetSession(Hash(1)));
  EXPECT_EQ(got.token_hash, Hash(1));
  EXPECT_EQ(got.user_id, 7);
  EXPECT_TRUE(got.forced_password_change);
  EXPECT_EQ(got.created_at, T0());
  EXPECT_EQ(got.expires_at, T0() + absl::Hours(12));
  EXPECT_TRUE(absl::IsNotFound(store().GetSession(Hash(2)).status()));

  ASSERT_OK(store().DeleteSession(Hash(1)));
  EXPECT_TRUE(absl::IsNotFound(store().GetSession(Hash(1)).status()));
  ASSERT_OK(store().DeleteSession(Hash(1)));  // already gone: not an error
}

TEST_P(WebSessionsTest, ADuplicateHashOrAMalformedOneIsRefused) {
  ASSERT_OK(store().CreateSession(Session(1, 7)));
  EXPECT_TRUE(absl::IsAlreadyExists(store().CreateSession(Session(1, 8))));
  WebSession bad = Session(2, 7);
  bad.token_hash = "short";
  EXPECT_TRUE(absl::IsInvalidArgument(store().CreateSession(bad)));
  EXPECT_EQ(store().GetSession(Hash(1))->user_id, 7);
}

TEST_P(WebSessionsTest, DeleteUserSessionsEndsEveryOneOfThatUserOnly) {
  ASSERT_OK(store().CreateSession(Session(1, 7)));
  ASSERT_OK(store().CreateSession(Session(2, 7)));
  ASSERT_OK(store().CreateSession(Session(3, 8)));
  ASSERT_OK(store().DeleteUserSessions(7));
  EXPECT_TRUE(absl::IsNotFound(store().GetSession(Hash(1)).status()));
  EXPECT_TRUE(absl::IsNotFound(store().GetSession(Hash(2)).status()));
  EXPECT_TRUE(store().GetSession(Hash(3)).ok());
}

TEST_P(WebSessionsTest, ExpiredSessionsAreDeletedOldestFirstAtMostLimitAtATime) {
  for (int i = 1; i <= 5; ++i) {
    ASSERT_OK(store().CreateSession(Session(i, 7, T0() + absl::Minutes(i))));
  }
  ASSERT_OK(store().CreateSession(Session(9, 7, T0() + absl::Hours(1))));
  // At T0 + 5 min, sessions 1..5 have expired (expires_at <= now); 9 has not.
  const absl::Time now = T0() + absl::Minutes(5);
  EXPECT_EQ(store().DeleteExpiredSessions(now, 2).value_or(-1), 2);
  EXPECT_TRUE(absl::IsNotFound(store().GetSession(Hash(1)).status()));
  EXPECT_TRUE(absl::IsNotFound(store().GetSession(Hash(2)).status()));
  EXPECT_TRUE(store().GetSession(Hash(3)).ok());
  EXPECT_EQ(store().DeleteExpiredSessions(now, 100).value_or(-1), 3);
  EXPECT_EQ(store().DeleteExpiredSessions(now, 100).value_or(-1), 0);
  EXPECT_TRUE(store().GetSession(Hash(9)).ok());
  EXPECT_EQ(store().DeleteExpiredSessions(now, 0).value_or(-1), 0);
}

TEST_P(WebSessionsTest, SessionsAreSharedByStoresOnTheSameDatabase) {
  ASSERT_OK_AND_ASSIGN(auto other, db_->Open());  // another web node's store
  ASSERT_OK(store().CreateSession(Session(1, 7)));
  EXPECT_EQ(other->GetSession(Hash(1)).value_or(WebSession{}).user_id, 7);
  ASSERT_OK(other->DeleteSession(Hash(1)));
  EXPECT_TRUE(absl::IsNotFound(store().GetSession(Hash(1)).status()));
}

TEST_P(WebSessionsTest, SessionWritesDoNotCountAsWrites) {
  const uint64_t before = store().WriteCount();
  ASSERT_OK(store().CreateSession(Session(1, 7)));
  ASSERT_OK(store().DeleteSession(Hash(1)));
  ASSERT_OK(store().GetOrCreateSetting("web_secret", "x").status());
  EXPECT_EQ(store().WriteCount(), before);
}

TEST_P(WebSessionsTest, TheFirstValueOfASettingIsKept) {
  EXPECT_EQ(store().GetOrCreateSetting("web_secret", "first").value_or(""), "first");
  EXPECT_EQ(store().GetOrCreateSetting("web_secret", "second").value_or(""), "first");
  EXPECT_EQ(store().GetOrCreateSetting("other", "b").value_or(""), "b");
  EXPECT_TRUE(absl::IsInvalidArgument(store().GetOrCreateSetting("", "v").status()));
  EXPECT_TRUE(
      absl::IsInvalidArgument(store().GetOrCreateSetting("big", std::string(1001, 'v')).status()));
}

TEST_P(WebSessionsTest, StoresRacingOnAMissingSettingAllGetTheSameValue) {
  constexpr int kNodes = 4;
  std::vector<std::unique_ptr<Store>> nodes;
  for (int i = 0; i < kNodes; ++i) {
    ASSERT_OK_AND_ASSIGN(auto s, db_->Open());
    nodes.push_back(std::move(s));
  }
  std::vector<std::string> got(kNodes);
  std::vector<std::thread> threads;
  for (int i = 0; i < kNodes; ++i) {
    threads.emplace_back([&, i] {
      got[i] = nodes[i]->GetOrCreateSetting("web_secret", absl::StrCat("node-", i)).value_or("");
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_FALSE(got[0].empty());
  for (const std::string& value : got) EXPECT_EQ(value, got[0]);
  EXPECT_EQ(store().GetOrCreateSetting("web_secret", "late").value_or(""), got[0]);
}

ASGARD_INSTANTIATE_BACKENDS(WebSessionsTest);

}  // namespace
}  // namespace asgard::store
