// File: webhook.h
// Alerts POSTed as JSON to master.webhook in the format master.webhook_type names:
//   generic   {"event", "kind", "id", "name", "agent", "reason", "run_uuid", "time",
//              "repeats", "title", "text"}
//   dingtalk  {"msgtype": "text", "text": {"content": text}}     (DingTalk custom robot)
//   wecom     {"msgtype": "text", "text": {"content": text}}     (WeCom group robot)
//   feishu    {"msg_type": "text", "content": {"text": text}}    (Feishu custom bot)
// The robots answer HTTP 200 with an error code in the body ({"errcode": 310000, ...} or
// {"code": 19021, ...}, for a keyword or signature check that failed): that counts as a failure.
//
//   WebhookChannel hook(cfg.master.webhook, cfg.master.webhook_type);
//   absl::Status s = hook.Send(outgoing);
#pragma once

#include <string>

#include "absl/status/status.h"
#include "notify/channel.h"

namespace asgard::notify {

// The request body for `type` (one of generic, dingtalk, wecom, feishu).
std::string WebhookBody(const std::string& type, const Outgoing& out, absl::TimeZone zone);
// OK for a 2xx answer whose body carries no error code; else Unavailable with the reason.
absl::Status CheckWebhookAnswer(long http_status, const std::string& body);
// POSTs `json` to `url`.
absl::Status PostJson(const std::string& url, const std::string& json);

class WebhookChannel final : public Channel {
 public:
  WebhookChannel(std::string url, std::string type) : url_(std::move(url)), type_(std::move(type)) {}
  std::string Name() const override { return "webhook (" + type_ + ")"; }
  absl::Status Send(const Outgoing& out) override;

 private:
  const std::string url_;
  const std::string type_;
};

}  // namespace asgard::notify
