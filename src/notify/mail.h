// File: mail.h
// Mail over SMTP with libcurl. Port 465 speaks TLS from the first byte (smtps); any other
// port upgrades with STARTTLS, required when `tls` is true and used whenever the server offers
// it otherwise. The server's certificate is always verified (against `ca` when given) unless
// insecure_skip_verify. `user` is the login and the From address, as in the original.
//
//   MailMessage m{cfg.user, {"ops@example.com"}, "Asgard Notice", "<p>Asgard Message</p>"};
//   absl::Status s = SendMail(cfg, m);
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "config/config.h"
#include "notify/channel.h"

namespace asgard::notify {

struct MailMessage {
  std::string from;
  std::vector<std::string> to;
  std::string subject;  // UTF-8; encoded for the header
  std::string html;     // UTF-8 body, sent as text/html
};

// "a@x.com, b@y.com" or "a@x.com;b@y.com" -> addresses, blanks dropped.
std::vector<std::string> SplitReceivers(const std::string& receivers);
// smtps://host:465 or smtp://host:port (IPv6 literals in brackets).
std::string SmtpUrl(const config::MailConfig& server);
// The message as sent: RFC 5322 headers (subject RFC 2047-encoded when not ASCII) and a
// base64 body, CRLF line ends.
std::string ComposeMail(const MailMessage& m, absl::Time date, const std::string& message_id);
// Unavailable naming the server and libcurl's reason (refused, TLS, login, recipient...).
absl::Status SendMail(const config::MailConfig& server, const MailMessage& m);

class MailChannel final : public Channel {
 public:
  MailChannel(config::MailConfig server, std::vector<std::string> to)
      : server_(std::move(server)), to_(std::move(to)) {}
  std::string Name() const override;
  absl::Status Send(const Outgoing& out) override;

 private:
  const config::MailConfig server_;
  const std::vector<std::string> to_;
};

}  // namespace asgard::notify
