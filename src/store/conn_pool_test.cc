// File: conn_pool_test.cc
// The read connections: a pool lends each connection to one holder at a time, the Store's reads
// go on while its writer is held up, readers see every committed write, and a read connection
// cannot write. On both backends where a database is involved.
#include "store/conn_pool.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "store/password.h"
#include "store/sqlite_conn.h"
#include "store/store_test_fixture.h"

namespace asgard::store {
namespace {

// `n` connections to one SQLite file (a pool only needs distinct SqlConn objects).
std::vector<std::unique_ptr<SqlConn>> SqliteConns(const std::string& path, int n) {
  std::vector<std::unique_ptr<SqlConn>> conns;
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<std::unique_ptr<SqliteConn>> c = SqliteConn::Open(path);
    EXPECT_TRUE(c.ok()) << c.status();
    if (c.ok()) conns.push_back(std::move(*c));
  }
  return conns;
}

TEST(ConnPool, LendsEachConnectionToOneHolderAtATime) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create(TestBackend::kSqlite));
  ConnPool pool(SqliteConns(db->runtime_dir() + "/pool.db", 2));
  ASSERT_EQ(pool.size(), 2u);
  auto first = std::make_unique<ConnPool::Lease>(pool.Acquire());
  ConnPool::Lease second = pool.Acquire();
  SqlConn* first_conn = &**first;
  EXPECT_NE(first_conn, &*second);
  // Both are lent: a third holder waits, and gets the one given back.
  SqlConn* got = nullptr;
  std::thread waiter([&] {
    ConnPool::Lease third = pool.Acquire();
    got = &*third;
  });
  first.reset();
  waiter.join();
  EXPECT_EQ(got, first_conn);
}

TEST(ConnPool, TheLastReturnedIsLentFirst) {
  ASSERT_OK_AND_ASSIGN(auto db, TestDatabase::Create(TestBackend::kSqlite));
  ConnPool pool(SqliteConns(db->runtime_dir() + "/pool.db", 3));
  SqlConn* returned = nullptr;
  {
    ConnPool::Lease a = pool.Acquire();
    ConnPool::Lease b = pool.Acquire();
    returned = &*a;
  }  // b goes back first, then a
  EXPECT_EQ(&*pool.Acquire(), returned);
}

class ReadPoolTest : public StoreTest {
 protected:
  // Reopens the store with `options` (the fixture's store goes).
  void Reopen(const OpenOptions& options) {
    store_.reset();
    ASSERT_OK_AND_ASSIGN(store_, db_->Open(options));
  }
};

// The store's writer blocks on a lock another connection holds; meanwhile, reads from other
// threads still answer (they used to queue behind the writer's mutex for as long as it waited).
TEST_P(ReadPoolTest, ReadsAnswerWhileTheWriterWaitsForALock) {
  std::atomic<bool> armed{false};
  absl::Notification writer_inside;
  OpenOptions options;
  options.now = [&] {
    // Called by CreateTask with the writer's mutex held.
    if (armed.exchange(false)) writer_inside.Notify();
    return T0();
  };
  Reopen(options);
  Agent agent = AddAgent();
  ASSERT_OK_AND_ASSIGN(Task existing, store().CreateTask(TaskKind::kApp, Input(agent.id, "a"), 1));

  // Another connection holds the write lock (SQLite) or the agent's row (MariaDB), which
  // CreateTask needs for the agent's assignment version.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<SqlConn> other, db_->Connect());
  ASSERT_OK(other->Begin());
  ASSERT_OK(other->Exec("UPDATE agents SET alias = 'held' WHERE id = ?", {agent.id}).status());

  armed = true;
  absl::StatusOr<Task> created = absl::UnknownError("not run");
  std::atomic<bool> writer_done{false};
  std::thread writer([&] {
    created = store().CreateTask(TaskKind::kApp, Input(agent.id, "b"), 1);
    writer_done = true;
  });
  writer_inside.WaitForNotification();

  absl::Time start = absl::Now();
  ASSERT_OK_AND_ASSIGN(Task task, store().GetTask(TaskKind::kApp, existing.id));
  EXPECT_EQ(task.input.name, "a");
  ASSERT_OK_AND_ASSIGN(Page<Task> page, store().ListTasks(TaskKind::kApp, TaskFilter{}));
  EXPECT_EQ(page.total, 1);  // b is not committed
  ASSERT_OK(store().GetAgent(agent.id).status());
  ASSERT_OK(store().FindUser(UserKey::kNickname, kAdminNickname).status());
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));  // the lock waits are 30 s and more
  EXPECT_FALSE(writer_done.load()) << "the writer was not held up";

  other->Rollback();
  writer.join();
  ASSERT_OK(created.status());
  // Read back on a read connection right away: the writer's commit is visible.
  ASSERT_OK_AND_ASSIGN(Task b, store().GetTask(TaskKind::kApp, created->id));
  EXPECT_EQ(b.input.name, "b");
}

// Readers on several threads while one thread writes: every read succeeds, and each reader sees
// the count grow, never shrink (each statement sees the commits before it).
TEST_P(ReadPoolTest, ConcurrentReadsWhileAWriterWrites) {
  Agent agent = AddAgent();
  constexpr int kTasks = 40;
  std::atomic<bool> writing{true};
  std::atomic<int> failures{0};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 6; ++r) {
    readers.emplace_back([&] {
      int64_t last_total = 0;
      while (writing.load()) {
        absl::StatusOr<Page<Task>> page = store().ListTasks(TaskKind::kApp, TaskFilter{});
        if (!page.ok() || page->total < last_total) {
          ++failures;
          continue;
        }
        last_total = page->total;
        if (!page->items.empty() &&
            !store().GetTask(TaskKind::kApp, page->items.front().id).ok()) {
          ++failures;
        }
        ++reads;
      }
    });
  }
  // The writes start once the readers read: on a busy machine the 40 writes could otherwise
  // end before a reader thread first ran.
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (reads.load() < 6 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(1));
  for (int i = 0; i < kTasks; ++i) {
    absl::StatusOr<Task> t =
        store().CreateTask(TaskKind::kApp, Input(agent.id, "t" + std::to_string(i)), 1);
    ASSERT_TRUE(t.ok()) << t.status();
    ASSERT_OK(store().SetDesired(TaskKind::kApp, t->id, Desired::kRun, 1).status());
  }
  writing = false;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_GE(reads.load(), 6);
  ASSERT_OK_AND_ASSIGN(Page<Task> page, store().ListTasks(TaskKind::kApp, TaskFilter{}));
  EXPECT_EQ(page.total, kTasks);
}

TEST_P(ReadPoolTest, ReadConnectionsRefuseWrites) {
  AddAgent();
  std::unique_ptr<SqlConn> reader;
  if (GetParam() == TestBackend::kSqlite) {
    ASSERT_OK_AND_ASSIGN(reader, SqliteConn::OpenReader(db_->runtime_dir() + "/asgard.db"));
  } else {
    const config::DbConfig& c = db_->config();
    MysqlOptions o{c.host, c.port, c.user, c.password, c.database};
    o.read_only = true;
    ASSERT_OK_AND_ASSIGN(reader, MysqlConn::Open(o));
  }
  ASSERT_OK_AND_ASSIGN(int64_t agents, reader->QueryInt("SELECT COUNT(*) FROM agents", {}));
  EXPECT_EQ(agents, 1);
  EXPECT_FALSE(reader->Exec("UPDATE agents SET alias = 'x'").ok());
}

TEST_P(ReadPoolTest, WithoutReadConnectionsEverythingUsesTheWriter) {
  OpenOptions options;
  options.read_connections = 0;
  Reopen(options);
  Agent agent = AddAgent();
  ASSERT_OK_AND_ASSIGN(Task t, store().CreateTask(TaskKind::kApp, Input(agent.id, "w"), 1));
  ASSERT_OK_AND_ASSIGN(Task back, store().GetTask(TaskKind::kApp, t.id));
  EXPECT_EQ(back.input.name, "w");
  ASSERT_OK_AND_ASSIGN(Page<Task> page, store().ListTasks(TaskKind::kApp, TaskFilter{}));
  EXPECT_EQ(page.total, 1);
}

// WriteCount tells a cache whether what it read is still current: reads leave it alone, and
// every write moves it once the write is over.
TEST_P(ReadPoolTest, WritesAreCountedAndReadsAreNot) {
  Agent agent = AddAgent();
  const uint64_t before = store().WriteCount();
  ASSERT_OK(store().ListTasks(TaskKind::kApp, TaskFilter{}).status());
  ASSERT_OK(store().GetAgent(agent.id).status());
  ASSERT_OK(store().FindUser(UserKey::kNickname, kAdminNickname).status());
  EXPECT_EQ(store().WriteCount(), before);
  ASSERT_OK_AND_ASSIGN(Task t, store().CreateTask(TaskKind::kApp, Input(agent.id, "w"), 1));
  const uint64_t after_create = store().WriteCount();
  EXPECT_GT(after_create, before);
  ASSERT_OK(store().SetDesired(TaskKind::kApp, t.id, Desired::kRun, 1).status());
  EXPECT_GT(store().WriteCount(), after_create);
}

ASGARD_INSTANTIATE_BACKENDS(ReadPoolTest);

}  // namespace
}  // namespace asgard::store
