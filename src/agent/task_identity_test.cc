// Who runs a task on the agent (task_identity.h): the rule, and the range's check against the
// accounts and groups NSS knows.
#include "agent/task_identity.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace asgard::agent {
namespace {

using ::testing::HasSubstr;

TEST(CheckUidRangeIsFree, ARangeHoldingAnExistingAccountOrGroupIsRefused) {
  auto root = CheckUidRangeIsFree({0, 99});
  EXPECT_TRUE(absl::IsFailedPrecondition(root));
  EXPECT_THAT(std::string(root.message()), HasSubstr("'root'"));
  EXPECT_FALSE(CheckUidRangeIsFree({65534, 65534}).ok());  // nobody / nogroup
  EXPECT_TRUE(CheckUidRangeIsFree(config::AgentConfig::kDefaultTaskUidRange).ok());
}

TEST(IdentityOf, NamedAccountOwnUidSharedUserOrTheAgentsOwn) {
  TaskIdentities ids;
  ids.agent_is_root = true;
  ids.shared_user = "nobody";
  ids.uid_range = config::AgentConfig::UidRange{1900000000, 1900000999};
  ids.home_root = "/h";
  v1::TaskDefinition def;
  def.set_owner_id(7);
  EXPECT_EQ(IdentityOf(def, ids)->user, "");  // an administrator's: the agent's own
  EXPECT_FALSE(IdentityOf(def, ids)->isolated.has_value());
  def.set_as_task_user(true);
  auto own = IdentityOf(def, ids);
  ASSERT_TRUE(own.ok() && own->isolated.has_value());
  EXPECT_EQ(own->isolated->uid, 1900000007u);
  EXPECT_EQ(own->isolated->home, "/h/1900000007");
  EXPECT_TRUE(own->files_as_user);
  def.set_user("www-data");  // granted by an administrator
  EXPECT_EQ(IdentityOf(def, ids)->user, "www-data");
  def.clear_user();
  ids.uid_range.reset();  // task_uid_range: off
  EXPECT_EQ(IdentityOf(def, ids)->user, "nobody");
  ids.agent_is_root = false;
  ids.shared_user = "";
  EXPECT_EQ(IdentityOf(def, ids)->user, "");
  EXPECT_FALSE(IdentityOf(def, ids)->files_as_user);
}

}  // namespace
}  // namespace asgard::agent
