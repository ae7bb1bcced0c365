#include "cluster/master_membership.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "cluster/etcd_test_env.h"
#include "common/uuid.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace asgard::cluster {
namespace {

using ::testing::HasSubstr;

class MasterMembershipTest : public ::testing::Test {
 protected:
  std::shared_ptr<EtcdClient> Connect(const std::vector<std::string>& endpoints) {
    auto client = EtcdClient::Connect(
        {.endpoints = endpoints, .config_key = "master.cluster_registry"});
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? std::shared_ptr<EtcdClient>(std::move(*client)) : nullptr;
  }
  MembershipOptions Options(const std::string& id, const std::string& address) {
    return {.cluster_name = cluster_, .cluster_id = id, .advertise = address, .ttl_seconds = 2};
  }
  // Waits up to 5 s for `pred`.
  template <class Pred>
  static bool Eventually(Pred pred) {
    for (int i = 0; i < 250; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return pred();
  }

  const std::string cluster_ = "test-" + NewUuid();
};

TEST_F(MasterMembershipTest, RegistersOneLeaderAndHandsOverWhenTheLeaderLeaves) {
  ASGARD_REQUIRE_ETCD(endpoints);
  auto etcd = Connect(endpoints);
  auto a = MasterMembership::Join(etcd, Options("m1", "10.0.0.1:9527"));
  auto b = MasterMembership::Join(etcd, Options("m2", "10.0.0.2:9527"));
  ASSERT_TRUE(a.ok() && b.ok()) << a.status() << " " << b.status();
  auto members = etcd->GetPrefix(MembersPrefix(cluster_));
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[0].key, MembersPrefix(cluster_) + "m1");
  EXPECT_EQ((*members)[0].value, "10.0.0.1:9527");

  ASSERT_TRUE(Eventually([&] { return (*a)->LeaderEpoch() || (*b)->LeaderEpoch(); }));
  // Never two leaders: over a few keep-alive rounds exactly one answers.
  for (int i = 0; i < 20; ++i) {
    EXPECT_NE((*a)->LeaderEpoch().has_value(), (*b)->LeaderEpoch().has_value());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto& leader = (*a)->LeaderEpoch() ? *a : *b;
  auto& other = (*a)->LeaderEpoch() ? *b : *a;
  const int64_t first_epoch = *leader->LeaderEpoch();
  const std::string leader_key = MembersPrefix(cluster_) + leader->options().cluster_id;
  leader->Leave();
  auto gone = etcd->Get(leader_key);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value()) << "a graceful stop removes the key at once";
  EXPECT_FALSE(leader->LeaderEpoch().has_value());
  ASSERT_TRUE(Eventually([&] { return other->LeaderEpoch().has_value(); }));
  EXPECT_GT(*other->LeaderEpoch(), first_epoch);
  auto current = etcd->Leader(ElectionName(cluster_));
  ASSERT_TRUE(current.ok() && current->has_value());
  EXPECT_EQ((*current)->value, other->options().cluster_id);
}

TEST_F(MasterMembershipTest, ADuplicateClusterIdIsRefusedNamingTheHolder) {
  ASGARD_REQUIRE_ETCD(endpoints);
  auto etcd = Connect(endpoints);
  auto a = MasterMembership::Join(etcd, Options("m1", "10.0.0.1:9527"));
  ASSERT_TRUE(a.ok()) << a.status();
  auto dup = MasterMembership::Join(etcd, Options("m1", "10.0.0.9:9527"));
  ASSERT_FALSE(dup.ok());
  EXPECT_TRUE(absl::IsAlreadyExists(dup.status())) << dup.status();
  EXPECT_THAT(dup.status().message(), HasSubstr("master.cluster_id 'm1'"));
  EXPECT_THAT(dup.status().message(), HasSubstr("10.0.0.1:9527"));
  auto still = etcd->Get(MembersPrefix(cluster_) + "m1");
  ASSERT_TRUE(still.ok() && still->has_value());
  EXPECT_EQ((*still)->value, "10.0.0.1:9527") << "the refused master changed nothing";
}

TEST_F(MasterMembershipTest, ARestartedMasterTakesBackItsOwnKeyAtOnce) {
  ASGARD_REQUIRE_ETCD(endpoints);
  auto etcd = Connect(endpoints);
  // What a master killed with SIGKILL leaves: its key under a lease nobody renews.
  auto old_lease = etcd->GrantLease(60);
  ASSERT_TRUE(old_lease.ok());
  ASSERT_TRUE(*etcd->CreateKey(MembersPrefix(cluster_) + "m1", "10.0.0.1:9527", old_lease->id));
  auto restarted = MasterMembership::Join(etcd, Options("m1", "10.0.0.1:9527"));
  ASSERT_TRUE(restarted.ok()) << restarted.status();
  EXPECT_TRUE((*restarted)->State().registered);
  auto kv = etcd->Get(MembersPrefix(cluster_) + "m1");
  ASSERT_TRUE(kv.ok() && kv->has_value());
  EXPECT_NE((*kv)->lease, old_lease->id);
}

TEST_F(MasterMembershipTest, WithoutEtcdItStartsAndSaysSo) {
  auto etcd = EtcdClient::Connect({.endpoints = {"127.0.0.1:1"},
                                   .config_key = "master.cluster_registry",
                                   .call_timeout = std::chrono::milliseconds(300)});
  ASSERT_TRUE(etcd.ok());
  auto m = MasterMembership::Join(std::shared_ptr<EtcdClient>(std::move(*etcd)),
                                  Options("m1", "10.0.0.1:9527"));
  ASSERT_TRUE(m.ok()) << m.status();
  MembershipState state = (*m)->State();
  EXPECT_FALSE(state.etcd_reachable);
  EXPECT_FALSE(state.registered);
  EXPECT_FALSE(state.leader_epoch.has_value());
  EXPECT_THAT(state.last_error, HasSubstr("127.0.0.1:1"));
}

}  // namespace
}  // namespace asgard::cluster
