#include "notify/webhook.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "nlohmann/json.hpp"
#include "notify/curl_easy.h"

namespace asgard::notify {
namespace {

using nlohmann::json;

constexpr size_t kMaxAnswerBytes = 64 * 1024;

json GenericBody(const Outgoing& out, absl::TimeZone zone) {
  const Alert& a = out.alert;
  return json{{"event", out.repeats > 0 ? "failure_summary" : "failure"},
              {"kind", a.kind},
              {"id", a.id},
              {"name", a.name},
              {"agent", a.agent},
              {"reason", a.reason},
              {"run_uuid", a.run_uuid},
              {"time", absl::FormatTime(absl::RFC3339_sec, a.time, zone)},
              {"repeats", out.repeats},
              {"title", Title(out)},
              {"text", Text(out, zone)}};
}

size_t KeepAnswer(char* data, size_t size, size_t count, void* user) {
  auto* answer = static_cast<std::string*>(user);
  size_t n = size * count;
  if (answer->size() < kMaxAnswerBytes) answer->append(data, std::min(n, kMaxAnswerBytes - answer->size()));
  return n;
}

// The robots' error code and message, when the answer is JSON that has one.
std::string RobotError(const std::string& body) {
  json answer = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object()) return "";
  for (const char* code_key : {"errcode", "code", "StatusCode"}) {
    auto it = answer.find(code_key);
    if (it == answer.end() || !it->is_number_integer() || it->get<long>() == 0) continue;
    std::string message;
    for (const char* msg_key : {"errmsg", "msg", "StatusMessage"}) {
      if (answer.contains(msg_key) && answer[msg_key].is_string()) {
        message = answer[msg_key].get<std::string>();
      }
    }
    return absl::StrCat(code_key, " ", it->get<long>(), message.empty() ? "" : ": ", message);
  }
  return "";
}

}  // namespace

std::string WebhookBody(const std::string& type, const Outgoing& out, absl::TimeZone zone) {
  const std::string text = Text(out, zone);
  if (type == "dingtalk" || type == "wecom") {
    return json{{"msgtype", "text"}, {"text", {{"content", text}}}}.dump();
  }
  if (type == "feishu") return json{{"msg_type", "text"}, {"content", {{"text", text}}}}.dump();
  return GenericBody(out, zone).dump();
}

absl::Status CheckWebhookAnswer(long http_status, const std::string& body) {
  if (http_status < 200 || http_status > 299) {
    return absl::UnavailableError(absl::StrCat("webhook answered HTTP ", http_status, ": ",
                                               body.substr(0, 200)));
  }
  if (std::string error = RobotError(body); !error.empty()) {
    return absl::UnavailableError("webhook refused the message: " + error);
  }
  return absl::OkStatus();
}

absl::Status PostJson(const std::string& url, const std::string& json_body) {
  CurlEasy curl;
  RETURN_IF_ERROR(curl.Prepare(url, {}));
  CURL* c = curl.get();
  CurlList headers;
  Append(headers, "Content-Type: application/json; charset=utf-8");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, json_body.c_str());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(json_body.size()));
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  std::string answer;
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &KeepAnswer);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
  RETURN_IF_ERROR(curl.Perform("webhook"));
  long http_status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http_status);
  return CheckWebhookAnswer(http_status, answer);
}

absl::Status WebhookChannel::Send(const Outgoing& out) {
  return PostJson(url_, WebhookBody(type_, out, absl::LocalTimeZone()));
}

}  // namespace asgard::notify
