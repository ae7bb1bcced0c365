// File: notify_config.h
// The channels a master's config asks for: mail when master.notify is true (through
// component.mail.asgard to master.receiver, as the original), a webhook when master.webhook
// is set. The original's start-up checks stay: notify without a mail server, a sender or a
// receiver is a configuration error naming the key, and the master does not start.
//
//   ASSIGN_OR_RETURN(auto channels, ChannelsFromConfig(cfg));  // InvalidArgument: exit 2
#pragma once

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "config/config.h"
#include "notify/channel.h"

namespace asgard::notify {

// component.mail.asgard; InvalidArgument naming what is missing (for `debug mail` too).
absl::StatusOr<config::MailConfig> AsgardMail(const config::Config& cfg);

absl::StatusOr<std::vector<std::unique_ptr<Channel>>> ChannelsFromConfig(
    const config::Config& cfg);

}  // namespace asgard::notify
