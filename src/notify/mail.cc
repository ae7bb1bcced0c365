#include "notify/mail.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status_macros.h"
#include "common/uuid.h"
#include "notify/curl_easy.h"

namespace asgard::notify {
namespace {

constexpr size_t kBase64Line = 76;

bool IsAscii(absl::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// A task name is user input: a line break in it must not start a header of its own.
std::string EncodeHeader(std::string value) {
  std::replace_if(value.begin(), value.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  if (IsAscii(value)) return value;
  return absl::StrCat("=?UTF-8?B?", absl::Base64Escape(value), "?=");
}

std::string Base64Lines(const std::string& body) {
  std::string encoded = absl::Base64Escape(body);
  std::string out;
  for (size_t i = 0; i < encoded.size(); i += kBase64Line) {
    absl::StrAppend(&out, encoded.substr(i, kBase64Line), "\r\n");
  }
  return out;
}

std::string DomainOf(const std::string& address) {
  auto at = address.rfind('@');
  return at == std::string::npos ? "localhost" : address.substr(at + 1);
}

// libcurl pulls the message through this.
struct Upload {
  const std::string& data;
  size_t sent = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  size_t n = std::min(size * count, up->data.size() - up->sent);
  std::memcpy(buffer, up->data.data() + up->sent, n);
  up->sent += n;
  return n;
}

}  // namespace

std::vector<std::string> SplitReceivers(const std::string& receivers) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(receivers, absl::ByAnyChar(",;"))) {
    absl::string_view address = absl::StripAsciiWhitespace(part);
    if (!address.empty()) out.emplace_back(address);
  }
  return out;
}

std::string SmtpUrl(const config::MailConfig& server) {
  std::string host = server.host.find(':') != std::string::npos
                         ? absl::StrCat("[", server.host, "]")
                         : server.host;
  return absl::StrCat(server.port == 465 ? "smtps://" : "smtp://", host, ":", server.port);
}

std::string ComposeMail(const MailMessage& m, absl::Time date, const std::string& message_id) {
  std::string headers = absl::StrCat(
      "Date: ", absl::FormatTime("%a, %d %b %Y %H:%M:%S +0000", date, absl::UTCTimeZone()),
      "\r\nFrom: ", m.from, "\r\nTo: ", absl::StrJoin(m.to, ", "),
      "\r\nMessage-ID: <", message_id, "@", DomainOf(m.from), ">",
      "\r\nSubject: ", EncodeHeader(m.subject),
      "\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=UTF-8"
      "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
  return headers + Base64Lines(m.html);
}

absl::Status SendMail(const config::MailConfig& server, const MailMessage& m) {
  if (m.to.empty()) return absl::InvalidArgumentError("mail: no receiver");
  CurlEasy curl;
  RETURN_IF_ERROR(curl.Prepare(SmtpUrl(server), {server.ca, server.insecure_skip_verify}));
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_USE_SSL, server.tls ? static_cast<long>(CURLUSESSL_ALL)
                                                  : static_cast<long>(CURLUSESSL_TRY));
  if (!server.password.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, server.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, server.password.c_str());
  }
  std::string from = absl::StrCat("<", m.from, ">");
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  CurlList rcpt;
  for (const std::string& to : m.to) Append(rcpt, absl::StrCat("<", to, ">"));
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  std::string message = ComposeMail(m, absl::Now(), NewUuid());
  Upload upload{message};
  curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadUpload);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  return curl.Perform(absl::StrCat("mail via ", SmtpUrl(server)));
}

std::string MailChannel::Name() const { return "mail to " + absl::StrJoin(to_, ", "); }

absl::Status MailChannel::Send(const Outgoing& out) {
  return SendMail(server_, MailMessage{server_.user, to_, Title(out),
                                       Html(out, absl::LocalTimeZone())});
}

}  // namespace asgard::notify
