// File: curl_easy.h
// Owners of libcurl handles (an easy handle, a header/recipient list), and the settings every
// request of ours shares: certificates verified (unless the operator said otherwise for a test
// server), bounded times, no signals, errors as text.
//
//   CurlEasy curl;
//   RETURN_IF_ERROR(curl.Prepare(url, {.ca = cfg.ca}));
//   RETURN_IF_ERROR(curl.Perform("webhook"));
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

#include "absl/status/status.h"

namespace asgard::notify {

struct CurlListFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlList = std::unique_ptr<curl_slist, CurlListFree>;

// Appends `item`, keeping ownership in `list`.
void Append(CurlList& list, const std::string& item);

struct TlsOptions {
  std::string ca;                    // CA bundle; "" = the system's
  bool insecure_skip_verify = false;  // test servers only
};

class CurlEasy {
 public:
  CurlEasy();
  ~CurlEasy();
  CurlEasy(const CurlEasy&) = delete;
  CurlEasy& operator=(const CurlEasy&) = delete;

  CURL* get() const { return curl_; }
  // URL, timeouts, TLS verification. Internal error when libcurl could not make a handle.
  absl::Status Prepare(const std::string& url, const TlsOptions& tls);
  // Runs the request; Unavailable naming `what` and libcurl's reason on failure.
  absl::Status Perform(const std::string& what);

 private:
  CURL* curl_;
  char error_[CURL_ERROR_SIZE] = {};
};

}  // namespace asgard::notify
