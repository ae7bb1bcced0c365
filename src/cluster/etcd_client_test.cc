#include "cluster/etcd_client.h"

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "cluster/etcd_test_env.h"
#include "common/uuid.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace asgard::cluster {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<EtcdClient> MustConnect(std::vector<std::string> endpoints) {
  auto client = EtcdClient::Connect(
      {.endpoints = std::move(endpoints), .config_key = "master.cluster_registry"});
  EXPECT_TRUE(client.ok()) << client.status();
  return client.ok() ? std::move(*client) : nullptr;
}

// A key space of its own per test, so runs never see each other's keys.
std::string Scope() { return absl::StrCat("/asgard-test/", NewUuid(), "/"); }

TEST(EtcdClientTest, BadEndpointsAndFilesAreErrorsNamingTheKey) {
  auto empty = EtcdClient::Connect({.config_key = "master.cluster_registry"});
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("master.cluster_registry is empty"));

  auto bad = EtcdClient::Connect(
      {.endpoints = {"127.0.0.1"}, .config_key = "agent.master.cluster_registry"});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("agent.master.cluster_registry: '127.0.0.1'"));

  auto no_ca = EtcdClient::Connect({.endpoints = {"https://127.0.0.1:2379"},
                                    .ca_file = "/nonexistent/ca.pem",
                                    .config_key = "master.cluster_registry"});
  ASSERT_FALSE(no_ca.ok());
  EXPECT_THAT(no_ca.status().message(), HasSubstr("master.cluster_ca: cannot read"));
}

TEST(EtcdClientTest, UnreachableEtcdIsUnavailableAndNamesTheEndpoint) {
  // Port 1 on loopback: nothing listens there.
  auto client = EtcdClient::Connect({.endpoints = {"127.0.0.1:1"},
                                     .config_key = "master.cluster_registry",
                                     .call_timeout = std::chrono::milliseconds(500)});
  ASSERT_TRUE(client.ok()) << client.status();  // a master may start before etcd
  auto lease = (*client)->GrantLease(5);
  ASSERT_FALSE(lease.ok());
  EXPECT_TRUE(absl::IsUnavailable(lease.status()) || absl::IsDeadlineExceeded(lease.status()))
      << lease.status();
  EXPECT_THAT(lease.status().message(), HasSubstr("127.0.0.1:1 (master.cluster_registry)"));
}

TEST(EtcdClientTest, CreateKeyOnlyOnceAndItGoesWithItsLease) {
  ASGARD_REQUIRE_ETCD(endpoints);
  auto etcd = MustConnect(endpoints);
  ASSERT_NE(etcd, nullptr);
  const std::string key = Scope() + "m1";
  auto lease = etcd->GrantLease(5);
  ASSERT_TRUE(lease.ok()) << lease.status();
  EXPECT_GE(lease->ttl, 5);

  auto created = etcd->CreateKey(key, "10.0.0.1:9527", lease->id);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(*created);
  KeyValue existing;
  auto again = etcd->CreateKey(key, "10.0.0.2:9527", 0, &existing);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(*again);
  EXPECT_EQ(existing.value, "10.0.0.1:9527");
  EXPECT_EQ(existing.lease, lease->id);

  auto ttl = etcd->KeepAlive(lease->id);
  ASSERT_TRUE(ttl.ok()) << ttl.status();
  EXPECT_GE(*ttl, 5);

  ASSERT_TRUE(etcd->RevokeLease(lease->id).ok());
  auto gone = etcd->Get(key);
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_FALSE(gone->has_value());
  auto dead = etcd->KeepAlive(lease->id);
  EXPECT_TRUE(absl::IsNotFound(dead.status())) << dead.status();
}

TEST(EtcdClientTest, PrefixReadAndWatchSeePutsAndDeletes) {
  ASGARD_REQUIRE_ETCD(endpoints);
  auto etcd = MustConnect(endpoints);
  ASSERT_NE(etcd, nullptr);
  const std::string prefix = Scope();
  ASSERT_TRUE(*etcd->CreateKey(prefix + "a", "1", 0));
  int64_t revision = 0;
  auto listed = etcd->GetPrefix(prefix, &revision);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, prefix + "a");
  EXPECT_GT(revision, 0);

  std::mutex mu;
  std::vector<WatchEvent> seen;
  CallCancel cancel;
  std::thread watcher([&] {
    auto s = etcd->WatchPrefix(prefix, revision + 1,
                               [&](const std::vector<WatchEvent>& events) {
                                 std::lock_guard<std::mutex> lock(mu);
                                 seen.insert(seen.end(), events.begin(), events.end());
                               },
                               cancel);
    EXPECT_TRUE(s.ok()) << s;
  });
  ASSERT_TRUE(*etcd->CreateKey(prefix + "b", "2", 0));
  ASSERT_TRUE(etcd->Delete(prefix + "a").ok());
  ASSERT_TRUE(*etcd->CreateKey("/asgard-test-elsewhere/" + NewUuid(), "x", 0));
  for (int i = 0; i < 100; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (seen.size() >= 2) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  cancel.Cancel();
  watcher.join();
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_FALSE(seen[0].deleted);
  EXPECT_EQ(seen[0].kv.key, prefix + "b");
  EXPECT_TRUE(seen[1].deleted);
  EXPECT_EQ(seen[1].kv.key, prefix + "a");
}

TEST(EtcdClientTest, OneLeaderAtATimeAndTheNextOnceItResigns) {
  ASGARD_REQUIRE_ETCD(endpoints);
  auto etcd = MustConnect(endpoints);
  ASSERT_NE(etcd, nullptr);
  const std::string election = Scope() + "leader";
  auto first_lease = etcd->GrantLease(10);
  auto second_lease = etcd->GrantLease(10);
  ASSERT_TRUE(first_lease.ok() && second_lease.ok());
  CallCancel first_cancel;
  auto first = etcd->Campaign(election, first_lease->id, "m1", first_cancel);
  ASSERT_TRUE(first.ok()) << first.status();
  auto leader = etcd->Leader(election);
  ASSERT_TRUE(leader.ok() && leader->has_value());
  EXPECT_EQ((*leader)->value, "m1");

  std::atomic<bool> second_won{false};
  LeaderKey second_key;
  CallCancel second_cancel;
  std::thread second([&] {
    auto won = etcd->Campaign(election, second_lease->id, "m2", second_cancel);
    if (won.ok()) {
      second_key = *won;
      second_won = true;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(second_won) << "two leaders at once";
  ASSERT_TRUE(etcd->Resign(*first).ok());
  for (int i = 0; i < 100 && !second_won; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(second_won);
  second.join();
  EXPECT_GT(second_key.rev, first->rev);  // a later leader orders after an earlier one
  leader = etcd->Leader(election);
  ASSERT_TRUE(leader.ok() && leader->has_value());
  EXPECT_EQ((*leader)->value, "m2");
  etcd->RevokeLease(first_lease->id).IgnoreError();
  etcd->RevokeLease(second_lease->id).IgnoreError();
}

TEST(EtcdClientTest, ACampaignEndsWhenCancelled) {
  ASGARD_REQUIRE_ETCD(endpoints);
  auto etcd = MustConnect(endpoints);
  ASSERT_NE(etcd, nullptr);
  const std::string election = Scope() + "leader";
  auto a = etcd->GrantLease(10);
  auto b = etcd->GrantLease(10);
  CallCancel unused;
  ASSERT_TRUE(etcd->Campaign(election, a->id, "a", unused).ok());
  CallCancel cancel;
  absl::Status result;
  std::thread waiting([&] { result = etcd->Campaign(election, b->id, "b", cancel).status(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  cancel.Cancel();
  waiting.join();
  EXPECT_TRUE(absl::IsCancelled(result)) << result;
  etcd->RevokeLease(a->id).IgnoreError();
  etcd->RevokeLease(b->id).IgnoreError();
}

TEST(EtcdClientTest, MovesToAnotherEndpointWhenOneIsDown) {
  ASGARD_REQUIRE_ETCD(endpoints);
  std::vector<std::string> with_dead = {"127.0.0.1:1"};
  with_dead.insert(with_dead.end(), endpoints.begin(), endpoints.end());
  auto etcd = MustConnect(with_dead);
  ASSERT_NE(etcd, nullptr);
  auto lease = etcd->GrantLease(5);
  ASSERT_TRUE(lease.ok()) << lease.status();
  auto statuses = etcd->MemberStatuses();
  ASSERT_EQ(statuses.size(), with_dead.size());
  EXPECT_FALSE(statuses[0].reachable);
  EXPECT_FALSE(statuses[0].error.empty());
  int leaders = 0;
  for (size_t i = 1; i < statuses.size(); ++i) {
    EXPECT_TRUE(statuses[i].reachable) << statuses[i].endpoint << ": " << statuses[i].error;
    EXPECT_FALSE(statuses[i].version.empty());
    leaders += statuses[i].is_leader ? 1 : 0;
  }
  EXPECT_EQ(leaders, 1);
  etcd->RevokeLease(lease->id).IgnoreError();
}

}  // namespace
}  // namespace asgard::cluster
