// File: output_health.h
// Whether a run's output reaches its files. When a file cannot be written (a full disk, a
// quota, a rotation whose new file cannot be made), the run goes on and its output is dropped,
// which the user must be able to see without the daemon drowning its own log:
//  - StreamDrops, kept by the launcher's pump of each output stream, logs one warning when a
//    stream starts dropping, a reminder at most every kDropReminderEvery while it goes on, and
//    one line when writes work again; never a line per failed write.
//  - OutputHealth, one per run and shared by its streams and its owner (Supervisor, RunSet),
//    counts the dropped bytes (shown by status) and tells the owner once when the run starts
//    dropping, so that it reports one exception for the episode, not one per write.
//
//   absl::StatusOr<RunInfo> run = launcher.Spawn(spec, on_exit);
//   if (run->output) run->output->OnDropStarted([](const absl::Status& why) { Report(why); });
//   view.output_dropped_bytes = run->output ? run->output->dropped_bytes() : 0;
//
// Thread-safety: loop thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "common/timer_service.h"

namespace asgard::process {

inline constexpr std::chrono::seconds kDropReminderEvery{60};

class OutputHealth {
 public:
  using DropStarted = std::function<void(const absl::Status& why)>;

  // `fn` runs each time the run goes from writing all its output to dropping some (first
  // failed write of a stream while no other stream of the run is failing).
  void OnDropStarted(DropStarted fn) { on_drop_started_ = std::move(fn); }

  // Bytes of the run's stdout/stderr dropped so far.
  int64_t dropped_bytes() const { return dropped_bytes_; }
  // Some stream of the run is failing now (its last write failed).
  bool dropping() const { return failing_streams_ > 0; }

  // For StreamDrops.
  void StreamStartedFailing(const absl::Status& why);
  void StreamStoppedFailing();
  void AddDropped(int64_t bytes) { dropped_bytes_ += bytes; }

 private:
  DropStarted on_drop_started_;
  int64_t dropped_bytes_ = 0;
  int failing_streams_ = 0;
};

// The text of the exception reported when a run starts dropping output.
std::string DropDescription(const absl::Status& why);

class StreamDrops {
 public:
  // What Record logged; for tests.
  enum class Logged { kNothing, kStarted, kReminder, kRecovered };

  StreamDrops(std::string path, std::shared_ptr<OutputHealth> health)
      : path_(std::move(path)), health_(std::move(health)) {}

  // After each write to the stream's file: `status` of the write and the bytes it dropped.
  Logged Record(const absl::Status& status, int64_t dropped, SteadyTime now);

 private:
  std::string path_;
  std::shared_ptr<OutputHealth> health_;
  bool failing_ = false;
  int64_t episode_bytes_ = 0;  // dropped since this stream started failing
  SteadyTime last_logged_{};
};

}  // namespace asgard::process
