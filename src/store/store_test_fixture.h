// File: store_test_fixture.h
// The fixture every backend-independent store test uses: TEST_P(StoreTest, ...) runs once on
// SQLite and once on MariaDB, each time on a new, migrated database.
#pragma once

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "store/store.h"
#include "store/store_test_util.h"

#define ASGARD_TEST_CONCAT_INNER_(a, b) a##b
#define ASGARD_TEST_CONCAT_(a, b) ASGARD_TEST_CONCAT_INNER_(a, b)
#define ASSERT_OK(expr)                       \
  do {                                        \
    const ::absl::Status asgard_s_ = (expr);  \
    ASSERT_TRUE(asgard_s_.ok()) << asgard_s_; \
  } while (0)
#define ASSERT_OK_AND_ASSIGN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  ASSERT_TRUE(tmp.ok()) << tmp.status();           \
  lhs = std::move(*tmp)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(ASGARD_TEST_CONCAT_(asgard_so_, __LINE__), lhs, expr)

namespace asgard::store {

// 2024-05-10 12:00:00 UTC: the tests' "now".
inline absl::Time T0() {
  return absl::FromCivil(absl::CivilSecond(2024, 5, 10, 12, 0, 0), absl::UTCTimeZone());
}
inline absl::Time Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

// What an agent reports about one task.
inline ObservedReport Seen(TaskKind kind, int64_t id, const std::string& state, int64_t pid = 0,
                           std::optional<int> exit_status = std::nullopt) {
  ObservedReport r;
  r.kind = kind;
  r.id = id;
  r.observed.state = state;
  r.observed.pid = pid;
  r.observed.last_exit_status = exit_status;
  return r;
}

class StoreTest : public ::testing::TestWithParam<TestBackend> {
 protected:
  void SetUp() override {
    ASGARD_REQUIRE_BACKEND(GetParam());
    ASSERT_OK_AND_ASSIGN(db_, TestDatabase::Create(GetParam()));
    ASSERT_OK_AND_ASSIGN(store_, db_->Open());
  }

  Store& store() { return *store_; }

  // An online agent at ip:port.
  Agent AddAgent(const std::string& ip = "10.0.0.1", const std::string& port = "27149") {
    absl::StatusOr<Agent> a =
        store_->RegisterAgent({ip, port, "master-1", "uuid-" + ip, 100}, T0());
    EXPECT_TRUE(a.ok()) << a.status();
    return a.value_or(Agent{});
  }

  static TaskInput Input(int64_t agent_id, const std::string& name) {
    TaskInput in;
    in.agent_id = agent_id;
    in.name = name;
    in.program = "/bin/sleep";
    in.args = "60";
    in.time = Utc(2024, 6, 1, 8, 0, 0);
    in.spec = "*/5 * * * *";
    return in;
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Store> store_;
};

#define ASGARD_INSTANTIATE_BACKENDS(Suite)                       \
  INSTANTIATE_TEST_SUITE_P(                                      \
      Backends, Suite,                                           \
      ::testing::Values(::asgard::store::TestBackend::kSqlite,   \
                        ::asgard::store::TestBackend::kMariaDb), \
      [](const auto& info) { return ::asgard::store::BackendName(info.param); })

}  // namespace asgard::store
