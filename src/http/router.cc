#include "http/router.h"

#include "spdlog/spdlog.h"

namespace asgard::http {

void Router::Add(std::string method, const std::string& pattern, Handler handler, RunOn run_on) {
  size_t special = pattern.find_first_of("\\^$.|?*+()[]{}");
  routes_.push_back(Route{std::move(method), std::regex(pattern, std::regex::ECMAScript),
                          pattern.substr(0, special), special == std::string::npos,
                          std::move(handler), run_on});
}

const Router::Route* Router::Find(Request& req) const {
  const std::string& method = req.method == "HEAD" ? std::string("GET") : req.method;
  std::smatch match;
  for (const Route& route : routes_) {
    if (route.method != method) continue;
    if (route.literal) {
      if (req.path != route.literal_prefix) continue;
      req.matches.assign(1, req.path);
      return &route;
    }
    if (req.path.compare(0, route.literal_prefix.size(), route.literal_prefix) != 0) continue;
    if (!std::regex_match(req.path, match, route.pattern)) continue;
    req.matches.clear();
    for (const auto& part : match) req.matches.push_back(part.str());
    return &route;
  }
  return nullptr;
}

void Router::Handle(const Route* route, Request& req, Response& res) const {
  try {
    if (before_ && before_(req, res)) {
      if (after_) after_(req, res);
      return;
    }
    if (route) {
      route->handler(req, res);
      if (res.needs_worker) return;
    } else {
      res.status = 404;
      res.SetContent(ErrorJson(404, "no route " + req.method + " " + req.path),
                     "application/json");
    }
  } catch (const std::exception& e) {
    spdlog::error("{} {}: {}", req.method, req.path, e.what());
    res = Response();
    res.status = 500;
    res.SetContent(ErrorJson(500, "internal error; see the web node's log"), "application/json");
  }
  if (after_) after_(req, res);
}

}  // namespace asgard::http
