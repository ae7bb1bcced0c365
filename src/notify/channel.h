// File: channel.h
// Where alerts go: mail, a webhook. The notifier calls Send from its own thread, one alert
// at a time; a failure is logged there and does not stop the other channels.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "notify/alert.h"

namespace asgard::notify {

class Channel {
 public:
  virtual ~Channel() = default;
  // For the log: "mail to ops@example.com", "webhook (dingtalk)".
  virtual std::string Name() const = 0;
  virtual absl::Status Send(const Outgoing& out) = 0;
};

}  // namespace asgard::notify
