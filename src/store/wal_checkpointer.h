// File: wal_checkpointer.h
// SQLite's WAL checkpoints moved off the writer. By default SQLite runs a checkpoint inside the
// commit that takes the WAL past 1,000 pages: it copies the WAL into the database file and
// syncs both, tens of milliseconds on a slow disk, while the SqlStore holds its write lock, so
// every write behind it waits (the master's reports stalled for 150 ms at 10,000 samples/s).
// Here the writer's commits only append to the WAL and wake a thread of the checkpointer's own,
// which runs the same checkpoint (PASSIVE: it never blocks the writer or the readers) on a
// connection of its own.
//
//   ASSIGN_OR_RETURN(auto checkpoints, WalCheckpointer::Start(path, writer));
//   ... the writer writes; checkpoints happen beside it ...
//   checkpoints.reset();  // before the writer closes: its automatic checkpoints come back
//
// The WAL still has a bound: should it reach kInlinePages (the checkpoint thread cannot keep up,
// or a reader holds an old snapshot), the committing call checkpoints as SQLite would have.
// Thread-safety: the hook runs on whatever thread commits on the writer; the rest is internal.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "store/sqlite_conn.h"

namespace asgard::store {

class WalCheckpointer {
 public:
  static constexpr int kPages = 1000;         // SQLite's own threshold: checkpoint past it
  static constexpr int kInlinePages = 64000;  // ~256 MiB of WAL: the writer checkpoints itself

  // Takes over the checkpoints of `writer` (a connection to the database file `path`), which
  // must outlive the checkpointer.
  static absl::StatusOr<std::unique_ptr<WalCheckpointer>> Start(const std::string& path,
                                                                SqliteConn& writer);
  // Gives the writer its automatic checkpoints back; waits for a checkpoint in progress.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

 private:
  WalCheckpointer(SqliteConn& writer, std::unique_ptr<SqliteConn> conn);
  void Committed(int wal_pages);  // the writer's hook
  void Run();

  SqliteConn& writer_;
  const std::unique_ptr<SqliteConn> conn_;  // used by the thread only
  absl::Mutex mu_;
  bool due_ ABSL_GUARDED_BY(mu_) = false;
  // WAL pages already in the database file after the last checkpoint: the next one is due
  // kPages later. Without it every commit of a WAL that does not restart (the writer never
  // pauses) would ask for a checkpoint, each with its two fsyncs, for a few new pages.
  int copied_ ABSL_GUARDED_BY(mu_) = 0;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace asgard::store
