#include <stdlib.h>

#include <fstream>

#include "config/config.h"
#include "gtest/gtest.h"

namespace asgard::config {
namespace {

std::string Write(const std::string& text) {
  char tmpl[] = "/tmp/asgard-rtdir-XXXXXX";
  std::string path = std::string(mkdtemp(tmpl)) + "/app.yaml";
  std::ofstream(path) << text;
  return path;
}

TEST(ReadRuntimeDir, FindsTheTopLevelKeyOnly) {
  EXPECT_EQ(ReadRuntimeDir(Write("app: []\nruntime_dir: /var/run/asgard\n")), "/var/run/asgard");
  EXPECT_EQ(ReadRuntimeDir(Write("runtime_dir: \"my dir\"  # comment\n")), "my dir");
  EXPECT_EQ(ReadRuntimeDir(Write("web:\n  runtime_dir: nested\n")), "runtime");
}

TEST(ReadRuntimeDir, DefaultsWhenMissingOrBroken) {
  EXPECT_EQ(ReadRuntimeDir("/nonexistent/app.yaml"), "runtime");
  EXPECT_EQ(ReadRuntimeDir(Write("app: []\n")), "runtime");
  EXPECT_EQ(ReadRuntimeDir(Write("runtime_dir: [unclosed\n")), "runtime");
}

TEST(ReadRuntimeDir, AgreesWithTheFullLoader) {
  std::string path = Write("runtime_dir: rt-x\napp:\n  - name: a\n    program: sleep\n");
  auto loaded = LoadConfigFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(ReadRuntimeDir(path), loaded->config.runtime_dir);
}

}  // namespace
}  // namespace asgard::config
