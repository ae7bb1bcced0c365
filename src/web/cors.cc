#include "web/cors.h"

namespace asgard::web {

CorsPolicy::CorsPolicy(const std::vector<std::string>& origins)
    : origins_(origins.begin(), origins.end()) {}

bool CorsPolicy::Allowed(const http::Request& req) const {
  return !origins_.empty() && req.HasHeader("Origin") &&
         origins_.count(req.Header("Origin")) > 0;
}

bool CorsPolicy::AnswerPreflight(const http::Request& req, http::Response& res) const {
  if (req.method != "OPTIONS" || !req.HasHeader("Access-Control-Request-Method") ||
      !Allowed(req)) {
    return false;
  }
  res.status = 204;
  res.SetHeader("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE");
  res.SetHeader("Access-Control-Allow-Headers", "Authorization, Content-Type");
  res.SetHeader("Access-Control-Max-Age", "600");
  return true;
}

void CorsPolicy::Decorate(const http::Request& req, http::Response& res) const {
  if (!Allowed(req)) return;
  res.SetHeader("Access-Control-Allow-Origin", req.Header("Origin"));
  res.SetHeader("Access-Control-Allow-Credentials", "true");
  std::string vary = res.Header("Vary");
  res.SetHeader("Vary", vary.empty() ? "Origin" : vary + ", Origin");
}

}  // namespace asgard::web
