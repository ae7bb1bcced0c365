// File: static_files_test.cc
// The console's files: found under the root only, typed by extension, gzipped once for clients
// that accept it, and read again when a new build replaced them.
#include "http/static_files.h"

#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "gtest/gtest.h"

namespace asgard::http {
namespace {

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/asgard-static-XXXXXX";
    root_ = mkdtemp(pattern);
    mkdir((root_ + "/assets").c_str(), 0755);
    Write("index.html", "<html>console</html>");
    Write("assets/app.js", std::string(4000, 'j'));
    Write(".env", "secret");
  }
  void TearDown() override { std::system(("rm -rf " + root_).c_str()); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(root_ + "/" + name, std::ios::binary) << text;
  }
  Request Get(const std::string& path, const std::string& encoding = "") {
    Request req;
    req.method = "GET";
    req.path = path;
    if (!encoding.empty()) req.headers = {{"Accept-Encoding", encoding}};
    return req;
  }

  std::string root_;
};

TEST_F(StaticFilesTest, ServesFilesUnderTheRootWithTheirType) {
  StaticFiles files(root_);
  Response res;
  ASSERT_TRUE(files.Serve(Get("/"), res));
  EXPECT_EQ(res.body, "<html>console</html>");
  EXPECT_EQ(res.Header("Content-Type"), "text/html; charset=utf-8");
  Response js;
  ASSERT_TRUE(files.Serve(Get("/assets/app.js"), js));
  EXPECT_EQ(js.Header("Content-Type"), "application/javascript");
  EXPECT_EQ(js.body.size(), 4000u);
  for (const char* bad : {"/../etc/passwd", "/assets/../../x", "/.env", "/missing.js", "/assets"}) {
    Response none;
    EXPECT_FALSE(files.Serve(Get(bad), none)) << bad;
    EXPECT_TRUE(none.body.empty());
  }
}

TEST_F(StaticFilesTest, GzipsForClientsThatAcceptItAndRereadsAChangedFile) {
  StaticFiles files(root_);
  Response zipped;
  ASSERT_TRUE(files.Serve(Get("/assets/app.js", "gzip, deflate, br"), zipped));
  EXPECT_EQ(zipped.Header("Content-Encoding"), "gzip");
  EXPECT_LT(zipped.body.size(), 200u);
  Response refused;
  ASSERT_TRUE(files.Serve(Get("/assets/app.js", "gzip;q=0"), refused));
  EXPECT_EQ(refused.Header("Content-Encoding"), "");
  Write("assets/app.js", "changed");
  // A new build: another size (the modification time may fall in the same tick).
  Response fresh;
  ASSERT_TRUE(files.Serve(Get("/assets/app.js"), fresh));
  EXPECT_EQ(fresh.body, "changed");
}

}  // namespace
}  // namespace asgard::http
