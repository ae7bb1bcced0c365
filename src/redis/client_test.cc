#include <atomic>
#include <chrono>
#include <thread>

#include <unistd.h>

#include "absl/strings/str_cat.h"

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "redis/client.h"
#include "redis/redis_test_env.h"
#include "redis/subscriber.h"

namespace asgard::redis {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// A key of this test run only, so that runs beside each other do not meet.
std::string TestKey(const std::string& name) {
  return Key(absl::StrCat("test:", getpid(), ":", name));
}

TEST(RedisClient, CommandsAndErrorReplies) {
  ASGARD_REQUIRE_REDIS(options);
  Client client(options);
  const std::string key = TestKey("counter");
  ASSERT_TRUE(client.Command({"DEL", key}).ok());
  auto one = client.Command({"INCR", key});
  ASSERT_TRUE(one.ok()) << one.status();
  EXPECT_EQ(one->type, Reply::Type::kInteger);
  EXPECT_EQ(one->integer, 1);
  // An error reply is an error of that command only: the connection goes on.
  auto wrong = client.Command({"HGET", key, "f"});
  EXPECT_TRUE(absl::IsFailedPrecondition(wrong.status())) << wrong.status();
  auto two = client.Command({"INCR", key});
  ASSERT_TRUE(two.ok()) << two.status();
  EXPECT_EQ(two->integer, 2);
  auto missing = client.Command({"GET", TestKey("missing")});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->type, Reply::Type::kNil);
  client.Command({"DEL", key}).IgnoreError();
}

TEST(RedisClient, SelectsTheDatabase) {
  ASGARD_REQUIRE_REDIS(options);
  options.db = 3;
  Client in_three(options);
  const std::string key = TestKey("db");
  ASSERT_TRUE(in_three.Command({"SET", key, "x"}).ok());
  options.db = 0;
  Client in_zero(options);
  auto other = in_zero.Command({"GET", key});
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->type, Reply::Type::kNil);
  in_three.Command({"DEL", key}).IgnoreError();
}

TEST(RedisClient, RefusedPasswordAndDatabaseSayWhy) {
  ASGARD_REQUIRE_REDIS(options);
  Options bad_db = options;
  bad_db.db = 100000;
  EXPECT_TRUE(absl::IsInvalidArgument(Connection::Connect(bad_db).status()));
  Options with_password = options;
  with_password.password = "not-set-on-the-test-redis";
  auto refused = Connection::Connect(with_password).status();
  EXPECT_FALSE(refused.ok());
}

TEST(RedisClient, DownIsUnavailableAtOnceDuringTheBackoff) {
  Options nowhere;
  nowhere.host = "127.0.0.1";
  nowhere.port = 1;  // nothing listens there
  Client client(nowhere);
  EXPECT_TRUE(absl::IsUnavailable(client.Ping()));
  const auto start = steady_clock::now();
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(absl::IsUnavailable(client.Ping()));
  EXPECT_LT(steady_clock::now() - start, milliseconds(100));
}

TEST(RedisClient, NextBackoffDoublesToTwoSeconds) {
  EXPECT_EQ(NextBackoff(milliseconds(0)), milliseconds(100));
  EXPECT_EQ(NextBackoff(milliseconds(100)), milliseconds(200));
  EXPECT_EQ(NextBackoff(milliseconds(1600)), milliseconds(2000));
  EXPECT_EQ(NextBackoff(milliseconds(2000)), milliseconds(2000));
}

TEST(RedisSubscriber, ReceivesWhatIsPublished) {
  ASGARD_REQUIRE_REDIS(options);
  const std::string channel = TestKey("channel");
  absl::Mutex mu;
  std::vector<std::string> got;
  std::atomic<int> ups{0};
  Subscriber sub(
      options, channel,
      [&](const std::string& m) {
        absl::MutexLock lock(&mu);
        got.push_back(m);
      },
      [&](bool live) { ups += live ? 1 : 0; });
  for (int i = 0; i < 50 && !sub.live(); ++i) std::this_thread::sleep_for(milliseconds(20));
  ASSERT_TRUE(sub.live());
  EXPECT_EQ(ups.load(), 1);
  Client client(options);
  ASSERT_TRUE(client.Command({"PUBLISH", channel, "hello"}).ok());
  ASSERT_TRUE(client.Command({"PUBLISH", channel, "again"}).ok());
  absl::MutexLock lock(&mu);
  auto two = [&] { return got.size() >= 2; };
  mu.AwaitWithTimeout(absl::Condition(&two), absl::Seconds(2));
  EXPECT_EQ(got, (std::vector<std::string>{"hello", "again"}));
}

TEST(RedisSubscriber, NotLiveWithoutRedis) {
  Options nowhere;
  nowhere.host = "127.0.0.1";
  nowhere.port = 1;
  Subscriber sub(nowhere, Key("x"), nullptr, nullptr);
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_FALSE(sub.live());
}

}  // namespace
}  // namespace asgard::redis
