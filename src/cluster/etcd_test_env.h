// File: etcd_test_env.h
// The etcd cluster the tests talk to: ASGARD_TEST_ETCD (endpoints, comma-separated), started by
// scripts/test-services/etcd.sh (with-services.sh does it for ctest). Unset: the test skips,
// except under CI=true, where it fails, since the service should have been there.
#pragma once

#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace asgard::cluster::testing {

inline std::vector<std::string> TestEtcdEndpoints() {
  const char* env = std::getenv("ASGARD_TEST_ETCD");
  if (env == nullptr || *env == '\0') return {};
  return absl::StrSplit(env, ',', absl::SkipEmpty());
}

inline std::string EtcdMissingReason() {
  return "ASGARD_TEST_ETCD is not set: the etcd test service was not started (run the tests "
         "through scripts/test-services/with-services.sh, or eval \"$(scripts/test-services/"
         "etcd.sh start)\")";
}

inline bool IsCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

}  // namespace asgard::cluster::testing

// In a test body: the endpoints, or skip (fail under CI=true) when there is no etcd.
#define ASGARD_REQUIRE_ETCD(endpoints_var)                                             \
  std::vector<std::string> endpoints_var = ::asgard::cluster::testing::TestEtcdEndpoints(); \
  if (endpoints_var.empty()) {                                                          \
    if (::asgard::cluster::testing::IsCi()) {                                           \
      FAIL() << ::asgard::cluster::testing::EtcdMissingReason();                        \
    }                                                                                   \
    GTEST_SKIP() << ::asgard::cluster::testing::EtcdMissingReason();                    \
  }
