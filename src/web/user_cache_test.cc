// File: user_cache_test.cc
// The session users' cache: kept for the TTL, read again at once after Invalidate, and never
// keeping what a load read before an Invalidate that happened during it.
#include "web/user_cache.h"

#include "gtest/gtest.h"

namespace asgard::web {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// A store of one user whose reads the test counts and whose rows it edits.
struct FakeUsers {
  store::User row;
  int loads = 0;
  std::function<void()> during_load;  // runs inside a load (a concurrent change)

  UserCache::Loader Loader() {
    return [this](int64_t id) -> absl::StatusOr<store::User> {
      ++loads;
      store::User copy = row;
      if (during_load) during_load();
      if (id != row.id) return absl::NotFoundError("user not found");
      return copy;
    };
  }
};

class UserCacheTest : public ::testing::Test {
 protected:
  UserCacheTest() : cache_(users_.Loader(), milliseconds(1000), [this] { return now_; }) {
    users_.row.id = 7;
    users_.row.nickname = "eve";
    users_.row.role = "User";
    users_.row.status = 1;
  }

  FakeUsers users_;
  steady_clock::time_point now_ = steady_clock::time_point() + std::chrono::hours(1);
  UserCache cache_;
};

TEST_F(UserCacheTest, KeepsAUserForTheTtlThenReadsItAgain) {
  ASSERT_TRUE(cache_.Get(7).ok());
  users_.row.role = "Administrator";  // changed elsewhere (another web node)
  now_ += milliseconds(999);
  ASSERT_EQ(cache_.Get(7)->role, "User");
  EXPECT_EQ(users_.loads, 1);
  now_ += milliseconds(1);
  EXPECT_EQ(cache_.Get(7)->role, "Administrator");
  EXPECT_EQ(users_.loads, 2);
}

TEST_F(UserCacheTest, InvalidateMakesTheNextGetReadTheStore) {
  ASSERT_TRUE(cache_.Get(7).ok());
  users_.row.status = -1;  // forbidden through this node...
  cache_.Invalidate(7);    // ...which says so
  EXPECT_EQ(cache_.Get(7)->status, -1);
  EXPECT_EQ(users_.loads, 2);
  EXPECT_EQ(cache_.Get(7)->status, -1);
  EXPECT_EQ(users_.loads, 2);
}

TEST_F(UserCacheTest, ALoadOverlappingAnInvalidateIsNotKept) {
  users_.row.must_change_password = true;
  // The password changes while the load is reading the old row.
  users_.during_load = [this] {
    users_.during_load = nullptr;
    users_.row.must_change_password = false;
    cache_.Invalidate(7);
  };
  EXPECT_TRUE(cache_.Get(7)->must_change_password);  // what that request read
  EXPECT_FALSE(cache_.Get(7)->must_change_password);  // the next one reads again
  EXPECT_EQ(users_.loads, 2);
}

TEST_F(UserCacheTest, ErrorsAreNotKept) {
  EXPECT_TRUE(absl::IsNotFound(cache_.Get(8).status()));
  EXPECT_TRUE(absl::IsNotFound(cache_.Get(8).status()));
  EXPECT_EQ(users_.loads, 2);
}

TEST_F(UserCacheTest, InvalidatingOneUserKeepsTheOthers) {
  ASSERT_TRUE(cache_.Get(7).ok());
  cache_.Invalidate(8);
  ASSERT_TRUE(cache_.Get(7).ok());
  // An Invalidate of another user voids only loads in flight, not entries already kept.
  EXPECT_EQ(users_.loads, 1);
}

}  // namespace
}  // namespace asgard::web
