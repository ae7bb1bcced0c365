// MonitorPoints over a real SQLite store: the text is the tree's, a sample stored through the
// same Store shows at once, one stored elsewhere within the cache's second, and a refused viewer
// is never answered from the cache.
#include "web/monitor_points.h"

#include <stdlib.h>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "web/task_json.h"

namespace asgard::web {
namespace {

using Json = nlohmann::json;

store::MonitorSample Sample(int64_t app_id, int seq, absl::Time at, double cpu) {
  store::MonitorSample m;
  m.type = 2;
  m.related_id = app_id;
  m.uuid = "run-" + std::to_string(app_id);
  m.seq = seq;
  m.pid = 4242;
  m.cpu = cpu;
  m.memory = 10.5 + seq;
  m.threads = 3;
  m.created_at = at;
  return m;
}

class MonitorPointsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/asgard-monitor-points-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    auto store = store::Store::Open(config::DbConfig{}, dir_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    points_ = std::make_unique<MonitorPoints>(
        *store_, absl::UTCTimeZone(), [this] { return now_; }, [this] { return steady_; });
  }
  void TearDown() override {
    points_.reset();
    store_.reset();
    std::string cmd = "rm -rf '" + dir_ + "'";
    (void)system(cmd.c_str());
  }

  // The answer for app 7 as `viewer`, counting the access checks it ran.
  std::string Ask(const std::string& viewer = "admin", absl::Status verdict = absl::OkStatus()) {
    auto text = points_->Answer({.type = 2, .id = 7, .size = 100, .viewer = viewer}, [&] {
      ++checks_;
      return verdict;
    });
    if (!text.ok()) return "error: " + std::string(text.status().message());
    return *text;
  }

  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
  std::chrono::steady_clock::time_point steady_{};
  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<MonitorPoints> points_;
  int checks_ = 0;
};

TEST_F(MonitorPointsTest, TextIsWhatTheJsonTreePrinted) {
  std::vector<store::MonitorSample> samples = {Sample(7, 1, now_, 0.0),
                                               Sample(7, 2, now_ + absl::Seconds(10), 1.0 / 3),
                                               Sample(7, 3, now_ + absl::Seconds(20), 99.5)};
  Json tree = Json::array();
  for (const auto& p : samples) {
    tree.push_back({{"cpu", p.cpu},
                    {"memory", p.memory},
                    {"threads", p.threads},
                    {"pid", p.pid},
                    {"created_at", TimeText(p.created_at, absl::UTCTimeZone())}});
  }
  EXPECT_EQ(MonitorPointsJson(samples, absl::UTCTimeZone()), tree.dump());
  EXPECT_EQ(MonitorPointsJson({}, absl::UTCTimeZone()), "[]");
}

TEST_F(MonitorPointsTest, ASampleStoredThroughThisStoreShowsAtOnce) {
  EXPECT_EQ(Ask(), "[]");
  ASSERT_TRUE(store_->InsertMonitors({Sample(7, 1, now_ - absl::Seconds(5), 2.5)}).ok());
  // Same instant on both clocks: only the store's write count says the answer is stale.
  Json points = Json::parse(Ask());
  ASSERT_EQ(points.size(), 1u);
  EXPECT_EQ(points[0]["cpu"], 2.5);
  EXPECT_EQ(points[0]["created_at"], "2027-01-15T07:59:55+00:00");
}

TEST_F(MonitorPointsTest, RepeatedQuestionsAreAnsweredOnceUntilAWrite) {
  ASSERT_TRUE(store_->InsertMonitors({Sample(7, 1, now_ - absl::Seconds(5), 2.5)}).ok());
  std::string first = Ask();
  EXPECT_EQ(Ask(), first);
  EXPECT_EQ(Ask(), first);
  EXPECT_EQ(checks_, 1);
  ASSERT_TRUE(store_->InsertMonitors({Sample(7, 2, now_ - absl::Seconds(1), 3.5)}).ok());
  EXPECT_EQ(Json::parse(Ask()).size(), 2u);
  EXPECT_EQ(checks_, 2);
}

TEST_F(MonitorPointsTest, ASampleStoredByAnotherProcessShowsWithinTheSecond) {
  EXPECT_EQ(Ask(), "[]");
  // Another Store on the same file: a separate master, whose writes this one does not count.
  auto other = store::Store::Open(config::DbConfig{}, dir_);
  ASSERT_TRUE(other.ok()) << other.status();
  ASSERT_TRUE((*other)->InsertMonitors({Sample(7, 1, now_ - absl::Seconds(5), 2.5)}).ok());
  steady_ += std::chrono::milliseconds(999);
  EXPECT_EQ(Ask(), "[]");
  steady_ += std::chrono::milliseconds(1);
  EXPECT_EQ(Json::parse(Ask()).size(), 1u);
}

TEST_F(MonitorPointsTest, EachViewerIsCheckedAndRefusalsAreNotKept) {
  EXPECT_EQ(Ask("admin"), "[]");
  EXPECT_EQ(Ask("user 3", absl::PermissionDeniedError("another user's app")),
            "error: another user's app");
  EXPECT_EQ(Ask("user 3", absl::PermissionDeniedError("another user's app")),
            "error: another user's app");
  EXPECT_EQ(checks_, 3);
  EXPECT_EQ(Ask("admin"), "[]");
  EXPECT_EQ(checks_, 3);
}

TEST_F(MonitorPointsTest, TheWindowFollowsTheClock) {
  ASSERT_TRUE(store_->InsertMonitors({Sample(7, 1, now_ + absl::Minutes(5), 2.5)}).ok());
  EXPECT_EQ(Ask(), "[]");  // more than a minute ahead
  now_ += absl::Minutes(5);
  steady_ += std::chrono::seconds(1);
  EXPECT_EQ(Json::parse(Ask()).size(), 1u);
}

}  // namespace
}  // namespace asgard::web
