#include "notify/notify_config.h"

#include "absl/strings/str_cat.h"
#include "notify/mail.h"
#include "notify/webhook.h"

namespace asgard::notify {

absl::StatusOr<config::MailConfig> AsgardMail(const config::Config& cfg) {
  auto it = cfg.mail.find("asgard");
  if (it == cfg.mail.end()) {
    return absl::InvalidArgumentError(
        "component.mail.asgard is missing (host, port, user, password of the SMTP server)");
  }
  if (it->second.host.empty()) {
    return absl::InvalidArgumentError("component.mail.asgard.host is empty (the SMTP server)");
  }
  if (it->second.user.empty()) {
    return absl::InvalidArgumentError(
        "component.mail.asgard.user is empty (the login, also the From address)");
  }
  return it->second;
}

absl::StatusOr<std::vector<std::unique_ptr<Channel>>> ChannelsFromConfig(
    const config::Config& cfg) {
  std::vector<std::unique_ptr<Channel>> channels;
  if (cfg.master.notify) {
    auto receivers = SplitReceivers(cfg.master.receiver);
    if (receivers.empty()) {
      return absl::InvalidArgumentError(
          "master.notify is true but master.receiver is empty (who gets the failure mails)");
    }
    auto mail = AsgardMail(cfg);
    if (!mail.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("master.notify is true but ", mail.status().message()));
    }
    channels.push_back(std::make_unique<MailChannel>(*mail, std::move(receivers)));
  }
  if (!cfg.master.webhook.empty()) {
    channels.push_back(
        std::make_unique<WebhookChannel>(cfg.master.webhook, cfg.master.webhook_type));
  }
  return channels;
}

}  // namespace asgard::notify
