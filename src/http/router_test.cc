// File: router_test.cc
// Which route answers: whole-path patterns with captures, HEAD as GET, the hooks around every
// answer, and a handler that throws.
#include "http/router.h"

#include <stdexcept>

#include "gtest/gtest.h"

namespace asgard::http {
namespace {

Request Make(std::string method, std::string path) {
  Request req;
  req.method = std::move(method);
  req.path = std::move(path);
  return req;
}

TEST(RouterTest, MatchesWholePathsInOrderWithCaptures) {
  Router router;
  router.Add("GET", "/api/v1/apps/(\\d+)", [](const Request& req, Response& res) {
    res.body = "app " + req.matches[1];
  });
  router.Add("GET", "/(.*)", [](const Request&, Response& res) { res.body = "console"; },
             RunOn::kIoThread);
  Request req = Make("GET", "/api/v1/apps/12");
  const Router::Route* route = router.Find(req);
  ASSERT_NE(route, nullptr);
  Response res;
  router.Handle(route, req, res);
  EXPECT_EQ(res.body, "app 12");
  Request other = Make("HEAD", "/api/v1/apps/12x");
  route = router.Find(other);
  ASSERT_NE(route, nullptr);
  EXPECT_EQ(route->run_on, RunOn::kIoThread);
  router.Add("GET", "/health", [](const Request&, Response& res) { res.body = "up"; });
  Request health = Make("GET", "/health");
  Response up;
  router.Handle(router.Find(health), health, up);
  EXPECT_EQ(up.body, "console");  // added after the catch-all: never reached
  Request post = Make("POST", "/api/v1/apps/12");
  EXPECT_EQ(router.Find(post), nullptr);
  Response missing;
  router.Handle(nullptr, post, missing);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body,
            R"({"code":404,"data":null,"message":"no route POST /api/v1/apps/12"})");
}

TEST(RouterTest, LiteralRoutesMatchOnlyTheWholePath) {
  Router router;
  router.Add("GET", "/health", [](const Request&, Response& res) { res.body = "up"; });
  router.Add("GET", "/api/v1/(\\w+)", [](const Request& req, Response& res) {
    res.body = req.matches[1];
  });
  for (const char* miss : {"/healthz", "/health/", "/", "/api/v2/x", "/api/v1/a/b"}) {
    Request req = Make("GET", miss);
    EXPECT_EQ(router.Find(req), nullptr) << miss;
  }
  Request health = Make("HEAD", "/health");
  Response up;
  router.Handle(router.Find(health), health, up);
  EXPECT_EQ(up.body, "up");
  Request word = Make("GET", "/api/v1/apps");
  Response apps;
  router.Handle(router.Find(word), word, apps);
  EXPECT_EQ(apps.body, "apps");
}

TEST(RouterTest, HooksWrapEveryAnswerAndAThrowIsA500) {
  Router router;
  router.SetBefore([](const Request& req, Response& res) {
    if (req.method != "OPTIONS") return false;
    res.status = 204;
    return true;
  });
  router.SetAfter([](const Request&, Response& res) { res.SetHeader("X-After", "1"); });
  router.Add("GET", "/boom", [](const Request&, Response&) { throw std::runtime_error("boom"); });
  Request boom = Make("GET", "/boom");
  Response res;
  router.Handle(router.Find(boom), boom, res);
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.Header("X-After"), "1");
  Request preflight = Make("OPTIONS", "/boom");
  Response answered;
  router.Handle(router.Find(preflight), preflight, answered);
  EXPECT_EQ(answered.status, 204);
  EXPECT_EQ(answered.Header("X-After"), "1");
}

}  // namespace
}  // namespace asgard::http
