#include "web/cors.h"

namespace asgard::web {

CorsPolicy::CorsPolicy(const std::vector<std::string>& origins)
    : origins_(origins.begin(), origins.end()) {}

bool CorsPolicy::Allowed(const httplib::Request& req) const {
  return !origins_.empty() && req.has_header("Origin") &&
         origins_.count(req.get_header_value("Origin")) > 0;
}

bool CorsPolicy::AnswerPreflight(const httplib::Request& req, httplib::Response& res) const {
  if (req.method != "OPTIONS" || !req.has_header("Access-Control-Request-Method") ||
      !Allowed(req)) {
    return false;
  }
  res.status = 204;
  res.set_header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE");
  res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
  res.set_header("Access-Control-Max-Age", "600");
  return true;
}

void CorsPolicy::Decorate(const httplib::Request& req, httplib::Response& res) const {
  if (!Allowed(req)) return;
  res.set_header("Access-Control-Allow-Origin", req.get_header_value("Origin"));
  res.set_header("Access-Control-Allow-Credentials", "true");
  res.set_header("Vary", "Origin");
}

}  // namespace asgard::web
