// The bytes that reach a mail server or a robot.
#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "notify/mail.h"
#include "notify/webhook.h"

namespace asgard::notify {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using nlohmann::json;

Outgoing Sample() {
  Alert a;
  a.kind = "job";
  a.id = 7;
  a.name = "备份";
  a.reason = "exited with status 2";
  a.run_uuid = "u-7";
  a.time = absl::FromUnixSeconds(1764064800);
  return {a, 0, {}};
}

TEST(SplitReceivers, CommasSemicolonsAndBlanks) {
  EXPECT_THAT(SplitReceivers(" a@x.com, b@y.com;c@z.com ,, "),
              ElementsAre("a@x.com", "b@y.com", "c@z.com"));
  EXPECT_TRUE(SplitReceivers("  ").empty());
}

TEST(SmtpUrl, ImplicitTlsOn465StartTlsElsewhere) {
  config::MailConfig m;
  m.host = "smtp.example.com";
  m.port = 465;
  EXPECT_EQ(SmtpUrl(m), "smtps://smtp.example.com:465");
  m.port = 587;
  EXPECT_EQ(SmtpUrl(m), "smtp://smtp.example.com:587");
  m.host = "::1";
  EXPECT_EQ(SmtpUrl(m), "smtp://[::1]:587");
}

TEST(ComposeMail, HeadersAndBase64HtmlBody) {
  MailMessage m{"asgard@example.com", {"a@x.com", "b@y.com"}, "[Asgard] job 备份 failed",
                "<p>line</p>"};
  std::string text = ComposeMail(m, absl::FromUnixSeconds(1764064800), "id-1");
  EXPECT_THAT(text, HasSubstr("Date: Tue, 25 Nov 2025 10:00:00 +0000\r\n"));
  EXPECT_THAT(text, HasSubstr("From: asgard@example.com\r\n"));
  EXPECT_THAT(text, HasSubstr("To: a@x.com, b@y.com\r\n"));
  EXPECT_THAT(text, HasSubstr("Message-ID: <id-1@example.com>\r\n"));
  EXPECT_THAT(text, HasSubstr("Subject: =?UTF-8?B?" +
                              absl::Base64Escape("[Asgard] job 备份 failed") + "?=\r\n"));
  EXPECT_THAT(text, HasSubstr("Content-Type: text/html; charset=UTF-8\r\n"));
  auto body_at = text.find("\r\n\r\n");
  ASSERT_NE(body_at, std::string::npos);
  std::string body;
  std::string encoded = text.substr(body_at + 4);
  encoded.erase(std::remove(encoded.begin(), encoded.end(), '\r'), encoded.end());
  encoded.erase(std::remove(encoded.begin(), encoded.end(), '\n'), encoded.end());
  ASSERT_TRUE(absl::Base64Unescape(encoded, &body));
  EXPECT_EQ(body, "<p>line</p>");
}

TEST(ComposeMail, AsciiSubjectStaysReadableAndLongBodiesWrap) {
  MailMessage m{"a@b.c", {"d@e.f"}, "Asgard Notice", std::string(500, 'x')};
  std::string text = ComposeMail(m, absl::UnixEpoch(), "x");
  EXPECT_THAT(text, HasSubstr("Subject: Asgard Notice\r\n"));
  for (absl::string_view line : absl::StrSplit(text, "\r\n")) EXPECT_LE(line.size(), 78u);
}

TEST(ComposeMail, LineBreaksInTheSubjectCannotAddHeaders) {
  MailMessage m{"a@b.c", {"d@e.f"}, "[Asgard] app x\r\nBcc: evil@x.com failed", "<p></p>"};
  std::string text = ComposeMail(m, absl::UnixEpoch(), "x");
  EXPECT_THAT(text, HasSubstr("Subject: [Asgard] app x  Bcc: evil@x.com failed\r\n"));
  EXPECT_EQ(text.find("\r\nBcc:"), std::string::npos);
}

TEST(WebhookBody, RobotsGetTheirTextFormat) {
  Outgoing out = Sample();
  std::string text = Text(out, absl::UTCTimeZone());
  json ding = json::parse(WebhookBody("dingtalk", out, absl::UTCTimeZone()));
  EXPECT_EQ(ding, (json{{"msgtype", "text"}, {"text", {{"content", text}}}}));
  json wecom = json::parse(WebhookBody("wecom", out, absl::UTCTimeZone()));
  EXPECT_EQ(wecom, ding);
  json feishu = json::parse(WebhookBody("feishu", out, absl::UTCTimeZone()));
  EXPECT_EQ(feishu, (json{{"msg_type", "text"}, {"content", {{"text", text}}}}));
  EXPECT_THAT(text, HasSubstr("[Asgard] job 备份 failed"));  // robots' keyword: "Asgard"
}

TEST(WebhookBody, GenericCarriesFields) {
  Outgoing out = Sample();
  out.repeats = 3;
  json body = json::parse(WebhookBody("generic", out, absl::UTCTimeZone()));
  EXPECT_EQ(body["event"], "failure_summary");
  EXPECT_EQ(body["kind"], "job");
  EXPECT_EQ(body["id"], 7);
  EXPECT_EQ(body["name"], "备份");
  EXPECT_EQ(body["reason"], "exited with status 2");
  EXPECT_EQ(body["run_uuid"], "u-7");
  EXPECT_EQ(body["time"], "2025-11-25T10:00:00+00:00");
  EXPECT_EQ(body["repeats"], 3);
}

TEST(CheckWebhookAnswer, HttpErrorsAndRobotErrorCodesFail) {
  EXPECT_TRUE(CheckWebhookAnswer(200, R"({"errcode":0,"errmsg":"ok"})").ok());
  EXPECT_TRUE(CheckWebhookAnswer(204, "").ok());
  EXPECT_TRUE(CheckWebhookAnswer(200, "not json").ok());
  auto ding = CheckWebhookAnswer(200, R"({"errcode":310000,"errmsg":"keywords not in content"})");
  EXPECT_THAT(std::string(ding.message()), HasSubstr("errcode 310000: keywords not in content"));
  auto feishu = CheckWebhookAnswer(200, R"({"code":19021,"msg":"sign match fail"})");
  EXPECT_THAT(std::string(feishu.message()), HasSubstr("code 19021: sign match fail"));
  auto http = CheckWebhookAnswer(404, "no such hook");
  EXPECT_THAT(std::string(http.message()), HasSubstr("HTTP 404: no such hook"));
}

}  // namespace
}  // namespace asgard::notify
