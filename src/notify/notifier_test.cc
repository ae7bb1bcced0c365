#include "notify/notifier.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "notify/notify_config.h"

namespace asgard::notify {
namespace {

using ::testing::HasSubstr;

struct Sent {
  std::mutex mu;
  std::vector<Outgoing> items;
  size_t size() {
    std::lock_guard<std::mutex> lock(mu);
    return items.size();
  }
};

class FakeChannel final : public Channel {
 public:
  FakeChannel(Sent& sent, absl::Status result) : sent_(sent), result_(result) {}
  std::string Name() const override { return "fake"; }
  absl::Status Send(const Outgoing& out) override {
    std::lock_guard<std::mutex> lock(sent_.mu);
    sent_.items.push_back(out);
    return result_;
  }

 private:
  Sent& sent_;
  absl::Status result_;
};

bool WaitFor(Sent& sent, size_t n) {
  for (int i = 0; i < 200 && sent.size() < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return sent.size() >= n;
}

Alert Fail(int64_t id, const std::string& run) {
  Alert a;
  a.kind = "app";
  a.id = id;
  a.run_uuid = run;
  a.reason = "exited with status 1";
  a.time = absl::Now();
  return a;
}

TEST(Notifier, DescribesAndSendsToEveryChannelEvenWhenOneFails) {
  Sent first, second;
  std::vector<std::unique_ptr<Channel>> channels;
  channels.push_back(std::make_unique<FakeChannel>(first, absl::UnavailableError("down")));
  channels.push_back(std::make_unique<FakeChannel>(second, absl::OkStatus()));
  Notifier n(std::move(channels), absl::Minutes(5), [](Alert& a) { a.name = "web-" + std::to_string(a.id); });
  n.Post(Fail(4, "r1"));
  ASSERT_TRUE(WaitFor(second, 1));
  EXPECT_EQ(first.size(), 1u);
  std::lock_guard<std::mutex> lock(second.mu);
  EXPECT_EQ(second.items[0].alert.name, "web-4");
}

TEST(Notifier, ThrottlesPerTask) {
  Sent sent;
  std::vector<std::unique_ptr<Channel>> channels;
  channels.push_back(std::make_unique<FakeChannel>(sent, absl::OkStatus()));
  Notifier n(std::move(channels), absl::Minutes(5), nullptr);
  for (int i = 0; i < 20; ++i) n.Post(Fail(1, "r" + std::to_string(i)));
  n.Post(Fail(2, "other"));
  ASSERT_TRUE(WaitFor(sent, 2));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(sent.size(), 2u);
}

TEST(Notifier, SummaryAfterTheWindow) {
  Sent sent;
  std::vector<std::unique_ptr<Channel>> channels;
  channels.push_back(std::make_unique<FakeChannel>(sent, absl::OkStatus()));
  Notifier n(std::move(channels), absl::Milliseconds(300), nullptr);
  for (int i = 0; i < 3; ++i) n.Post(Fail(1, "r" + std::to_string(i)));
  ASSERT_TRUE(WaitFor(sent, 2));  // the worker checks windows every second
  std::lock_guard<std::mutex> lock(sent.mu);
  EXPECT_EQ(sent.items[1].repeats, 2);
}

TEST(Notifier, WithoutChannelsPostIsANoOp) {
  Notifier n({}, absl::Minutes(5), nullptr);
  EXPECT_FALSE(n.enabled());
  n.Post(Fail(1, "r"));
}

config::Config WithMail() {
  config::Config cfg;
  cfg.master.notify = true;
  cfg.master.receiver = "ops@example.com";
  config::MailConfig mail;
  mail.host = "smtp.example.com";
  mail.user = "asgard@example.com";
  cfg.mail["asgard"] = mail;
  return cfg;
}

TEST(ChannelsFromConfig, NothingConfiguredNoChannels) {
  auto channels = ChannelsFromConfig(config::Config{});
  ASSERT_TRUE(channels.ok());
  EXPECT_TRUE(channels->empty());
}

TEST(ChannelsFromConfig, MailAndWebhook) {
  config::Config cfg = WithMail();
  cfg.master.webhook = "http://127.0.0.1:9/hook";
  cfg.master.webhook_type = "dingtalk";
  auto channels = ChannelsFromConfig(cfg);
  ASSERT_TRUE(channels.ok()) << channels.status();
  ASSERT_EQ(channels->size(), 2u);
  EXPECT_EQ((*channels)[0]->Name(), "mail to ops@example.com");
  EXPECT_EQ((*channels)[1]->Name(), "webhook (dingtalk)");
}

TEST(ChannelsFromConfig, NotifyNeedsReceiverServerAndSender) {
  config::Config no_receiver = WithMail();
  no_receiver.master.receiver = " ";
  EXPECT_THAT(std::string(ChannelsFromConfig(no_receiver).status().message()),
              HasSubstr("master.receiver is empty"));
  config::Config no_server = WithMail();
  no_server.mail.clear();
  EXPECT_THAT(std::string(ChannelsFromConfig(no_server).status().message()),
              HasSubstr("component.mail.asgard is missing"));
  config::Config no_user = WithMail();
  no_user.mail["asgard"].user.clear();
  auto s = ChannelsFromConfig(no_user).status();
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_THAT(std::string(s.message()), HasSubstr("component.mail.asgard.user is empty"));
}

}  // namespace
}  // namespace asgard::notify
