#include "cluster/master_directory.h"

#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "cluster/etcd_test_env.h"
#include "common/uuid.h"
#include "gtest/gtest.h"

namespace asgard::cluster {
namespace {

std::vector<MasterEntry> Masters(int n) {
  std::vector<MasterEntry> out;
  for (int i = 1; i <= n; ++i) out.push_back({absl::StrCat("m", i), absl::StrCat("10.0.0.", i, ":9527")});
  return out;
}

std::string Agent(int i) { return absl::StrCat("10.1.", i / 250, ".", i % 250, ":27149"); }

TEST(PickMasterTest, AgentsSpreadEvenlyOverMasters) {
  std::map<std::string, int> per_master;
  const int agents = 3000;
  for (int i = 0; i < agents; ++i) ++per_master[PickMaster(Agent(i), Masters(3), {})->id];
  ASSERT_EQ(per_master.size(), 3u);
  int lo = agents, hi = 0;
  for (const auto& [id, n] : per_master) {
    lo = std::min(lo, n);
    hi = std::max(hi, n);
  }
  EXPECT_LE(static_cast<double>(hi) / lo, 1.2) << "max " << hi << " min " << lo;
}

TEST(PickMasterTest, OnlyTheAgentsOfAGoneMasterMoveAndTheyMoveBack) {
  auto three = Masters(3);
  std::vector<MasterEntry> two = {three[0], three[2]};  // m2 gone
  int moved = 0, on_m2 = 0;
  for (int i = 0; i < 1000; ++i) {
    auto before = PickMaster(Agent(i), three, {});
    auto during = PickMaster(Agent(i), two, {});
    auto after = PickMaster(Agent(i), three, {});
    if (before->id == "m2") {
      ++on_m2;
      EXPECT_NE(during->id, "m2");
    } else {
      EXPECT_EQ(during->id, before->id) << "an agent of a live master moved";
    }
    moved += before->id != during->id;
    EXPECT_EQ(after->id, before->id) << "did not move back";
  }
  EXPECT_EQ(moved, on_m2);
  // The same as a master the agent cannot reach (its key not yet expired).
  for (int i = 0; i < 1000; ++i) {
    auto normal = PickMaster(Agent(i), three, {});
    auto avoiding = PickMaster(Agent(i), three, {"m2"});
    if (normal->id != "m2") EXPECT_EQ(avoiding->id, normal->id);
    else EXPECT_NE(avoiding->id, "m2");
  }
}

TEST(PickMasterTest, AvoidedMastersAreUsedWhenNothingElseIsLeftAndNoneMeansNone) {
  auto one = Masters(1);
  EXPECT_EQ(PickMaster("a", one, {"m1"})->id, "m1");
  EXPECT_FALSE(PickMaster("a", {}, {}).has_value());
}

TEST(MasterDirectoryTest, FollowsRegistrationsInEtcd) {
  ASGARD_REQUIRE_ETCD(endpoints);
  auto etcd = EtcdClient::Connect({.endpoints = endpoints, .config_key = "agent.master.cluster_registry"});
  ASSERT_TRUE(etcd.ok()) << etcd.status();
  std::shared_ptr<EtcdClient> client(std::move(*etcd));
  const std::string cluster = "test-" + NewUuid();
  std::atomic<int> changes{0};
  auto directory = MasterDirectory::Start(client, cluster, "10.1.0.1:27149", [&] { ++changes; });
  auto eventually = [](auto pred) {
    for (int i = 0; i < 250 && !pred(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return pred();
  };
  ASSERT_TRUE(eventually([&] { return directory->ready(); }));
  EXPECT_FALSE(directory->Pick().has_value()) << "no master registered yet";

  auto lease = client->GrantLease(10);
  ASSERT_TRUE(lease.ok());
  const std::string prefix = MembersPrefix(cluster);
  for (const MasterEntry& m : Masters(3)) ASSERT_TRUE(*client->CreateKey(prefix + m.id, m.address, lease->id));
  ASSERT_TRUE(eventually([&] { return directory->Masters().size() == 3; }));
  auto expected = PickMaster("10.1.0.1:27149", Masters(3), {});
  EXPECT_EQ(directory->Pick(), expected);
  EXPECT_GT(changes.load(), 0);

  // Its master unreachable: another at once; its key deleted: still another; back when it returns.
  directory->Unreachable(expected->id);
  ASSERT_TRUE(directory->Pick().has_value());
  EXPECT_NE(directory->Pick()->id, expected->id);
  ASSERT_TRUE(client->Delete(prefix + expected->id).ok());
  ASSERT_TRUE(eventually([&] { return directory->Masters().size() == 2; }));
  EXPECT_NE(directory->Pick()->id, expected->id);
  ASSERT_TRUE(*client->CreateKey(prefix + expected->id, expected->address, lease->id));
  ASSERT_TRUE(eventually([&] { return directory->Pick() == expected; }))
      << "a master registered again is used again at once";
  client->RevokeLease(lease->id).IgnoreError();
  ASSERT_TRUE(eventually([&] { return directory->Masters().empty(); }));
  EXPECT_FALSE(directory->Pick().has_value());
}

}  // namespace
}  // namespace asgard::cluster
