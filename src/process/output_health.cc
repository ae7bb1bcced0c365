#include "process/output_health.h"

#include "common/absl_fmt.h"
#include "spdlog/spdlog.h"

namespace asgard::process {

std::string DropDescription(const absl::Status& why) {
  return "output dropped: " + std::string(why.message()) +
         "; the run goes on, its output is lost until the file can be written again";
}

void OutputHealth::StreamStartedFailing(const absl::Status& why) {
  if (failing_streams_++ == 0 && on_drop_started_) on_drop_started_(why);
}

void OutputHealth::StreamStoppedFailing() {
  if (failing_streams_ > 0) --failing_streams_;
}

StreamDrops::Logged StreamDrops::Record(const absl::Status& status, int64_t dropped,
                                        SteadyTime now) {
  if (dropped > 0) health_->AddDropped(dropped);
  if (status.ok()) {
    if (!failing_) return Logged::kNothing;
    failing_ = false;
    health_->StreamStoppedFailing();
    spdlog::info("output to {} is written again; {} bytes were dropped meanwhile", path_,
                 episode_bytes_);
    return Logged::kRecovered;
  }
  episode_bytes_ = failing_ ? episode_bytes_ + dropped : dropped;
  if (!failing_) {
    failing_ = true;
    last_logged_ = now;
    spdlog::warn(
        "{}; the task keeps running and its output is dropped until the file can be "
        "written again",
        status.message());
    health_->StreamStartedFailing(status);
    return Logged::kStarted;
  }
  if (now - last_logged_ < kDropReminderEvery) return Logged::kNothing;
  last_logged_ = now;
  spdlog::warn("still dropping the output for {}: {} bytes so far ({})", path_, episode_bytes_,
               status.message());
  return Logged::kReminder;
}

}  // namespace asgard::process
