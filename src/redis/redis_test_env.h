// File: redis_test_env.h
// The Redis the tests talk to: ASGARD_TEST_REDIS (host:port), started by
// scripts/test-services/redis.sh (with-services.sh does it for ctest). Unset: the test skips,
// except under CI=true, where it fails, since the service should have been there.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>

#include "gtest/gtest.h"
#include "redis/connection.h"

namespace asgard::redis::testing {

inline std::optional<Options> TestRedis() {
  const char* env = std::getenv("ASGARD_TEST_REDIS");
  if (env == nullptr || *env == '\0') return std::nullopt;
  std::string text(env);
  Options o;
  auto colon = text.rfind(':');
  o.host = text.substr(0, colon);
  if (colon != std::string::npos) o.port = std::stoi(text.substr(colon + 1));
  return o;
}

inline std::string RedisMissingReason() {
  return "ASGARD_TEST_REDIS is not set: the Redis test service was not started (run the tests "
         "through scripts/test-services/with-services.sh, or eval \"$(scripts/test-services/"
         "redis.sh start)\")";
}

inline bool IsCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

}  // namespace asgard::redis::testing

// In a test body: the options of the test Redis, or skip (fail under CI=true) without one.
#define ASGARD_REQUIRE_REDIS(options_var)                                            \
  std::optional<::asgard::redis::Options> options_var##_found =                       \
      ::asgard::redis::testing::TestRedis();                                          \
  if (!options_var##_found) {                                                         \
    if (::asgard::redis::testing::IsCi()) {                                           \
      FAIL() << ::asgard::redis::testing::RedisMissingReason();                       \
    }                                                                                 \
    GTEST_SKIP() << ::asgard::redis::testing::RedisMissingReason();                   \
  }                                                                                   \
  ::asgard::redis::Options options_var = *options_var##_found
