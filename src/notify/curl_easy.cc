#include "notify/curl_easy.h"

#include "absl/strings/str_cat.h"

namespace asgard::notify {
namespace {

constexpr long kConnectTimeoutSeconds = 10;
constexpr long kTotalTimeoutSeconds = 30;

}  // namespace

void Append(CurlList& list, const std::string& item) {
  curl_slist* grown = curl_slist_append(list.get(), item.c_str());
  if (grown != nullptr) {
    (void)list.release();  // curl_slist_append returned the same head, or a new one
    list.reset(grown);
  }
}

CurlEasy::CurlEasy() : curl_(curl_easy_init()) {}

CurlEasy::~CurlEasy() {
  if (curl_ != nullptr) curl_easy_cleanup(curl_);
}

absl::Status CurlEasy::Prepare(const std::string& url, const TlsOptions& tls) {
  if (curl_ == nullptr) return absl::InternalError("libcurl could not create a handle");
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error_);
  // Signals would interrupt the process's other threads; the timeouts below bound everything.
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT, kTotalTimeoutSeconds);
  curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYPEER, tls.insecure_skip_verify ? 0L : 1L);
  curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYHOST, tls.insecure_skip_verify ? 0L : 2L);
  if (!tls.ca.empty()) curl_easy_setopt(curl_, CURLOPT_CAINFO, tls.ca.c_str());
  return absl::OkStatus();
}

absl::Status CurlEasy::Perform(const std::string& what) {
  error_[0] = '\0';
  CURLcode code = curl_easy_perform(curl_);
  if (code == CURLE_OK) return absl::OkStatus();
  return absl::UnavailableError(
      absl::StrCat(what, ": ", error_[0] != '\0' ? error_ : curl_easy_strerror(code)));
}

}  // namespace asgard::notify
