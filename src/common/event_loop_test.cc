#include "common/event_loop.h"

#include <unistd.h>

#include <thread>

#include "gtest/gtest.h"

namespace asgard {
namespace {

std::unique_ptr<EventLoop> NewLoop() {
  auto loop = EventLoop::Create();
  EXPECT_TRUE(loop.ok()) << loop.status();
  return std::move(*loop);
}

TEST(EventLoop, TimersFireInDeadlineOrder) {
  auto loop = NewLoop();
  std::vector<int> order;
  loop->RunAfter(std::chrono::milliseconds(20), [&] { order.push_back(2); });
  loop->RunAfter(std::chrono::milliseconds(5), [&] { order.push_back(1); });
  loop->RunAfter(std::chrono::milliseconds(30), [&] { loop->Stop(); });
  loop->Run();
  EXPECT_EQ(order, (std::vector<int>{1, 2}));
}

TEST(EventLoop, CancelledTimerNeverFires) {
  auto loop = NewLoop();
  bool fired = false;
  auto id = loop->RunAfter(std::chrono::milliseconds(5), [&] { fired = true; });
  loop->Cancel(id);
  loop->RunAfter(std::chrono::milliseconds(20), [&] { loop->Stop(); });
  loop->Run();
  EXPECT_FALSE(fired);
}

TEST(EventLoop, WallTimerFiresAtTheInstant) {
  auto loop = NewLoop();
  auto when = std::chrono::system_clock::now() + std::chrono::milliseconds(30);
  std::chrono::system_clock::time_point fired_at;
  loop->RunAtWall(when, [&] {
    fired_at = std::chrono::system_clock::now();
    loop->Stop();
  });
  loop->Run();
  EXPECT_GE(fired_at, when);
  EXPECT_LT(fired_at - when, std::chrono::milliseconds(20));
}

TEST(EventLoop, PostFromAnotherThreadRunsOnLoop) {
  auto loop = NewLoop();
  std::thread::id ran_on;
  std::thread poster([&] {
    loop->Post([&] {
      ran_on = std::this_thread::get_id();
      loop->Stop();
    });
  });
  loop->Run();
  poster.join();
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST(EventLoop, WatchedFdCallsBackUntilUnwatched) {
  auto loop = NewLoop();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  UniqueFd r(fds[0]), w(fds[1]);
  std::string got;
  ASSERT_TRUE(loop->Watch(r.get(), [&] {
                    char buf[16];
                    ssize_t n = read(r.get(), buf, sizeof(buf));
                    if (n > 0) got.append(buf, n);
                    if (got == "hello") {
                      loop->Unwatch(r.get());
                      loop->Stop();
                    }
                  }).ok());
  ASSERT_EQ(write(w.get(), "hello", 5), 5);
  loop->Run();
  EXPECT_EQ(got, "hello");
}

}  // namespace
}  // namespace asgard
