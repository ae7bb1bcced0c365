// File: response_cache_test.cc
// The list pages' cache: a page answers from it only while the store has taken no write and for
// less than the TTL, and each key keeps its own text.
#include "web/response_cache.h"

#include "gtest/gtest.h"

namespace asgard::web {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

class ResponseCacheTest : public ::testing::Test {
 protected:
  ResponseCacheTest() : cache_(milliseconds(1000), [this] { return now_; }) {}

  steady_clock::time_point now_ = steady_clock::time_point() + std::chrono::hours(1);
  ResponseCache cache_;
};

TEST_F(ResponseCacheTest, AnswersWhileNothingWasWrittenAndTheTtlHasNotPassed) {
  EXPECT_EQ(cache_.Get("apps?page=1", 5), nullptr);
  cache_.Put("apps?page=1", 5, "[1]");
  now_ += milliseconds(999);
  ResponseCache::Text text = cache_.Get("apps?page=1", 5);
  ASSERT_NE(text, nullptr);
  EXPECT_EQ(*text, "[1]");
}

TEST_F(ResponseCacheTest, AWriteSinceTheTextWasMadeMakesItStale) {
  cache_.Put("apps?page=1", 5, "[1]");
  EXPECT_EQ(cache_.Get("apps?page=1", 6), nullptr);
  // Gone for good: the count does not go back, and the entry is not kept.
  EXPECT_EQ(cache_.Get("apps?page=1", 5), nullptr);
}

TEST_F(ResponseCacheTest, ExpiresAfterTheTtlEvenWithoutAWrite) {
  cache_.Put("jobs?page=1", 5, "[2]");  // next_run_at moves with the clock
  now_ += milliseconds(1000);
  EXPECT_EQ(cache_.Get("jobs?page=1", 5), nullptr);
}

TEST_F(ResponseCacheTest, KeysAreKeptApart) {
  cache_.Put("apps?page=1|user=3", 5, "[mine]");
  cache_.Put("apps?page=1|all", 5, "[everyone's]");
  EXPECT_EQ(*cache_.Get("apps?page=1|user=3", 5), "[mine]");
  EXPECT_EQ(*cache_.Get("apps?page=1|all", 5), "[everyone's]");
  EXPECT_EQ(cache_.Get("apps?page=2|all", 5), nullptr);
}

TEST_F(ResponseCacheTest, ANewerTextReplacesTheOld) {
  cache_.Put("apps?page=1", 5, "[old]");
  cache_.Put("apps?page=1", 6, "[new]");
  EXPECT_EQ(*cache_.Get("apps?page=1", 6), "[new]");
}

TEST_F(ResponseCacheTest, AHugeTextIsNotKept) {
  cache_.Put("apps?page_size=1000000", 5, std::string((1 << 20) + 1, 'x'));
  EXPECT_EQ(cache_.Get("apps?page_size=1000000", 5), nullptr);
}

TEST_F(ResponseCacheTest, StartsOverRatherThanGrowWithoutBound) {
  for (int i = 0; i < 256; ++i) cache_.Put("k" + std::to_string(i), 1, "x");
  EXPECT_NE(cache_.Get("k0", 1), nullptr);
  cache_.Put("one more", 1, "y");
  EXPECT_EQ(cache_.Get("k0", 1), nullptr);
  EXPECT_NE(cache_.Get("one more", 1), nullptr);
}

}  // namespace
}  // namespace asgard::web
