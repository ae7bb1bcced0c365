// File: schema_checks_test.cc
// The typed text columns on both backends (migration 6): the database refuses text Asgard
// would not write, the migration rewrites an earlier version's forms and refuses nonsense
// naming the row, and a row that escaped a check is an error naming it when read, never a
// guessed value.
#include "store/schema_checks.h"

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "store/migrate.h"
#include "store/store_test_fixture.h"

namespace asgard::store {
namespace {

using ::testing::HasSubstr;

class SchemaChecksTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    agent_ = AddAgent().id;
    ASSERT_OK_AND_ASSIGN(auto conn, db_->Connect());
    conn_ = std::move(conn);
  }

  int64_t NewTask(TaskKind kind, const std::string& name) {
    absl::StatusOr<Task> t = store().CreateTask(kind, Input(agent_, name), 1);
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? t->id : 0;
  }

  absl::Status Set(const std::string& table, const std::string& column, const std::string& text,
                   int64_t id) {
    return conn_
        ->Exec(absl::StrCat("UPDATE `", table, "` SET `", column, "` = ? WHERE id = ?"),
               {text, id})
        .status();
  }

  std::string Get(const std::string& table, const std::string& column, int64_t id) {
    auto rows = conn_->Query(
        absl::StrCat("SELECT `", column, "` FROM `", table, "` WHERE id = ?"), {id});
    EXPECT_TRUE(rows.ok()) << rows.status();
    if (!rows.ok() || rows->empty()) return "<none>";
    return RowReader(rows->front()).Str();
  }

  // The database as an earlier version left it: no checks, migration 6 not applied.
  void BackToVersion5() {
    for (const CheckedColumn& c : CheckedColumns()) {
      const std::string name = absl::StrCat(c.table, "_", c.column, "_check");
      if (GetParam() == TestBackend::kSqlite) {
        ASSERT_OK(conn_->ExecScript(absl::StrCat("DROP TRIGGER ", name, "_insert; DROP TRIGGER ",
                                                 name, "_update;")));
      } else {
        ASSERT_OK(conn_->ExecScript(
            absl::StrCat("ALTER TABLE `", c.table, "` DROP CONSTRAINT `", name, "`")));
      }
    }
    ASSERT_OK(conn_->Exec("DELETE FROM schema_version WHERE version = 6", {}).status());
  }

  int64_t agent_ = 0;
  std::unique_ptr<SqlConn> conn_;
};

TEST_P(SchemaChecksTest, TheDatabaseRefusesTextAsgardWouldNotWrite) {
  const int64_t app = NewTask(TaskKind::kApp, "web");
  const int64_t job = NewTask(TaskKind::kJob, "backup");
  EXPECT_FALSE(Set("apps", "stop_signal", "SIGTERM", app).ok());  // parses, but not its one form
  EXPECT_FALSE(Set("apps", "stop_signal", "NOPE", app).ok());
  EXPECT_FALSE(Set("jobs", "concurrency", "skip", job).ok());
  EXPECT_FALSE(Set("jobs", "state", "sleepy", job).ok());
  EXPECT_FALSE(conn_
                   ->Exec("INSERT INTO timings (name, agent_id, stop_signal) VALUES ('t', ?, "
                          "'TERMINATE')",
                          {agent_})
                   .ok());
  EXPECT_EQ(Get("apps", "stop_signal", app), "TERM");
  EXPECT_EQ(Get("jobs", "concurrency", job), "forbid");
  // What Asgard writes passes.
  ASSERT_OK(Set("apps", "stop_signal", "USR1", app));
  ASSERT_OK(Set("apps", "stop_signal", "40", app));
  ASSERT_OK(Set("jobs", "concurrency", "replace", job));
  ASSERT_OK(Set("jobs", "state", "scheduled", job));
  ASSERT_OK(Set("jobs", "state", "unknown", job));
  ASSERT_OK_AND_ASSIGN(Task read, store().GetTask(TaskKind::kApp, app));
  EXPECT_EQ(read.input.stop_signal.number(), 40);
}

TEST_P(SchemaChecksTest, MigrationRewritesTheFormsAnEarlierVersionStored) {
  const int64_t a = NewTask(TaskKind::kApp, "a");
  const int64_t b = NewTask(TaskKind::kApp, "b");
  const int64_t c = NewTask(TaskKind::kTiming, "c");
  BackToVersion5();
  ASSERT_OK(Set("apps", "stop_signal", "SIGINT", a));
  ASSERT_OK(Set("apps", "stop_signal", "15", b));
  ASSERT_OK(Set("timings", "stop_signal", "usr2", c));
  store_.reset();
  ASSERT_OK_AND_ASSIGN(store_, db_->Open());
  EXPECT_EQ(Get("apps", "stop_signal", a), "INT");
  EXPECT_EQ(Get("apps", "stop_signal", b), "TERM");
  EXPECT_EQ(Get("timings", "stop_signal", c), "USR2");
  EXPECT_FALSE(Set("apps", "stop_signal", "NOPE", a).ok()) << "the checks are back";
}

TEST_P(SchemaChecksTest, MigrationRefusesTextThatIsNothingAndChangesNothing) {
  const int64_t a = NewTask(TaskKind::kApp, "a");
  const int64_t job = NewTask(TaskKind::kJob, "j");
  BackToVersion5();
  ASSERT_OK(Set("apps", "stop_signal", "SIGINT", a));
  ASSERT_OK(Set("jobs", "concurrency", "skip", job));
  store_.reset();
  absl::StatusOr<std::unique_ptr<Store>> refused = db_->Open();
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(),
              HasSubstr(absl::StrCat("jobs id ", job, ": concurrency 'skip' is not forbid, allow "
                                     "or replace; set it to one of 'forbid', 'allow', 'replace'")));
  EXPECT_EQ(Get("apps", "stop_signal", a), "SIGINT");  // not rewritten either
  EXPECT_FALSE(AppliedVersions(*conn_)->contains(6));
}

TEST_P(SchemaChecksTest, ARowThatEscapedTheCheckIsAnErrorNamingItNotAGuess) {
  const int64_t app = NewTask(TaskKind::kApp, "web");
  BackToVersion5();  // as on MySQL before 8.0.16, which ignores checks
  ASSERT_OK(Set("apps", "stop_signal", "NOPE", app));
  absl::StatusOr<Task> read = store().GetTask(TaskKind::kApp, app);
  ASSERT_FALSE(read.ok());
  EXPECT_TRUE(absl::IsDataLoss(read.status())) << read.status();
  EXPECT_THAT(read.status().message(),
              HasSubstr(absl::StrCat("apps id ", app, ": stop_signal: 'NOPE' is not a signal")));
}

ASGARD_INSTANTIATE_BACKENDS(SchemaChecksTest);

}  // namespace
}  // namespace asgard::store
