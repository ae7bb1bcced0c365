#include "process/output_health.h"

#include <algorithm>
#include <vector>

#include "gtest/gtest.h"

namespace asgard::process {
namespace {

using Logged = StreamDrops::Logged;
using std::chrono::milliseconds;
using std::chrono::seconds;

const absl::Status kDiskFull = absl::InternalError("write /logs/app.out: No space left on device");

class OutputHealthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    health_->OnDropStarted([this](const absl::Status& why) { reported_.push_back(why); });
  }

  std::shared_ptr<OutputHealth> health_ = std::make_shared<OutputHealth>();
  std::vector<absl::Status> reported_;
  SteadyTime t0_ = SteadyTime() + seconds(1000);
};

// What a full log disk did before: one warning per failed write (41,621 lines in 20 s).
TEST_F(OutputHealthTest, AFullDiskIsOneWarningAndOneReportNotOnePerWrite) {
  StreamDrops out("/logs/app.out", health_);
  std::vector<Logged> logged;
  for (int i = 0; i < 41621; ++i) {
    logged.push_back(out.Record(kDiskFull, 100, t0_ + milliseconds(i * 20000 / 41621)));
  }
  EXPECT_EQ(std::count(logged.begin(), logged.end(), Logged::kStarted), 1);
  EXPECT_EQ(std::count(logged.begin(), logged.end(), Logged::kNothing), 41620);
  ASSERT_EQ(reported_.size(), 1u);
  EXPECT_EQ(reported_[0], kDiskFull);
  EXPECT_EQ(health_->dropped_bytes(), 4162100);
  EXPECT_TRUE(health_->dropping());
}

TEST_F(OutputHealthTest, ALongEpisodeIsRemindedOfAtMostEveryMinute) {
  StreamDrops out("/logs/app.out", health_);
  int reminders = 0;
  for (int s = 0; s <= 600; ++s) {  // ten minutes, a failed write every second
    if (out.Record(kDiskFull, 1, t0_ + seconds(s)) == Logged::kReminder) ++reminders;
  }
  EXPECT_EQ(reminders, 10);
  EXPECT_EQ(reported_.size(), 1u);
}

TEST_F(OutputHealthTest, RecoveryEndsTheEpisodeAndANewOneIsReportedAgain) {
  StreamDrops out("/logs/app.out", health_);
  EXPECT_EQ(out.Record(absl::OkStatus(), 0, t0_), Logged::kNothing);
  EXPECT_EQ(out.Record(kDiskFull, 10, t0_), Logged::kStarted);
  EXPECT_EQ(out.Record(absl::OkStatus(), 0, t0_ + seconds(1)), Logged::kRecovered);
  EXPECT_FALSE(health_->dropping());
  EXPECT_EQ(out.Record(absl::OkStatus(), 0, t0_ + seconds(2)), Logged::kNothing);
  EXPECT_EQ(out.Record(kDiskFull, 5, t0_ + seconds(3)), Logged::kStarted);
  EXPECT_EQ(reported_.size(), 2u);
  EXPECT_EQ(health_->dropped_bytes(), 15);
}

// stdout and stderr on the same full disk: one episode of the run, one exception.
TEST_F(OutputHealthTest, BothStreamsOfARunFailingIsOneReport) {
  StreamDrops out("/logs/app.out", health_);
  StreamDrops err("/logs/app.err", health_);
  EXPECT_EQ(out.Record(kDiskFull, 1, t0_), Logged::kStarted);
  EXPECT_EQ(err.Record(kDiskFull, 1, t0_), Logged::kStarted);
  EXPECT_EQ(reported_.size(), 1u);
  EXPECT_EQ(err.Record(absl::OkStatus(), 0, t0_), Logged::kRecovered);
  EXPECT_TRUE(health_->dropping()) << "stdout still fails";
  EXPECT_EQ(out.Record(kDiskFull, 1, t0_), Logged::kNothing);
  EXPECT_EQ(reported_.size(), 1u);
  EXPECT_EQ(health_->dropped_bytes(), 3);
}

}  // namespace
}  // namespace asgard::process
