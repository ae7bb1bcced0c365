// File: cors.h
// Cross-origin access to the API for the origins in web.cors_origins, and for no other: the
// original reflected any Origin with credentials (ORIGINAL.md 10.1 item 5). An allowed origin
// gets Access-Control-Allow-Origin (itself, never "*"), credentials and `Vary: Origin` on every
// answer, and its preflight (OPTIONS with Access-Control-Request-Method) is answered 204 with the
// methods and headers the API uses. Any other origin gets no CORS header at all, so a browser
// keeps its pages from reading the answers.
//
//   CorsPolicy cors(config.web.cors_origins);
//   if (cors.AnswerPreflight(req, res)) return Handled;   // pre-routing
//   cors.Decorate(req, res);                              // post-routing
//
// Thread-safety: const after construction.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "http/message.h"

namespace asgard::web {

class CorsPolicy {
 public:
  explicit CorsPolicy(const std::vector<std::string>& origins);

  // True (and `res` is the 204 answer) for a preflight from an allowed origin.
  bool AnswerPreflight(const http::Request& req, http::Response& res) const;
  // Adds the CORS headers to any answer for an allowed origin.
  void Decorate(const http::Request& req, http::Response& res) const;

 private:
  bool Allowed(const http::Request& req) const;

  const std::set<std::string> origins_;
};

}  // namespace asgard::web
