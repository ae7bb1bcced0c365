// File: router.h
// Which handler answers a request: routes by method and a pattern (a regex that must match the
// whole path; its captures become Request::matches), tried in the order they were added, with
// a hook before every route (CORS preflights) and one after (headers every answer carries).
// A route says where it runs: on the worker pool (it may wait: the store, an agent) or at once
// on the I/O thread (memory only: a cached answer, a file already read).
//
//   http::Router router;
//   router.Add("GET", "/api/v1/apps/(\\d+)", ShowApp);
//   router.Add("GET", "/health", Health, http::RunOn::kIoThread);
//
// Thread-safety: Add and the hooks before the server starts; then const.
#pragma once

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "http/message.h"

namespace asgard::http {

enum class RunOn { kWorkers, kIoThread };

using Handler = std::function<void(const Request&, Response&)>;

class Router {
 public:
  // `method` "GET" also answers HEAD (without the body).
  void Add(std::string method, const std::string& pattern, Handler handler,
           RunOn run_on = RunOn::kWorkers);
  // Runs before routing; returns true when it answered.
  void SetBefore(std::function<bool(const Request&, Response&)> before) {
    before_ = std::move(before);
  }
  void SetAfter(std::function<void(const Request&, Response&)> after) {
    after_ = std::move(after);
  }

  // The route of `req`, its captures written to req.matches; null when none matches (Handle
  // then answers 404).
  struct Route {
    std::string method;
    std::regex pattern;
    // The pattern's text up to its first special character: a path without it cannot match,
    // so most routes are ruled out by a string compare rather than a regex run.
    std::string literal_prefix;
    bool literal = false;  // the whole pattern is literal: an exact compare decides
    Handler handler;
    RunOn run_on;
  };
  const Route* Find(Request& req) const;
  // Runs the hooks and `route` (null: 404), catching what a handler throws (500).
  void Handle(const Route* route, Request& req, Response& res) const;

 private:
  std::vector<Route> routes_;
  std::function<bool(const Request&, Response&)> before_;
  std::function<void(const Request&, Response&)> after_;
};

}  // namespace asgard::http
