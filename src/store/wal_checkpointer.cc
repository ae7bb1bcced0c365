// File: wal_checkpointer.cc
#include "store/wal_checkpointer.h"

#include "common/status_macros.h"
#include "spdlog/spdlog.h"

namespace asgard::store {

absl::StatusOr<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(const std::string& path,
                                                                        SqliteConn& writer) {
  ASSIGN_OR_RETURN(std::unique_ptr<SqliteConn> conn, SqliteConn::Open(path));
  std::unique_ptr<WalCheckpointer> c(new WalCheckpointer(writer, std::move(conn)));
  writer.OnWalCommit([self = c.get()](int pages) { self->Committed(pages); });
  return c;
}

WalCheckpointer::WalCheckpointer(SqliteConn& writer, std::unique_ptr<SqliteConn> conn)
    : writer_(writer), conn_(std::move(conn)), thread_([this] { Run(); }) {}

WalCheckpointer::~WalCheckpointer() {
  writer_.OnWalCommit(nullptr);
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

void WalCheckpointer::Committed(int wal_pages) {
  if (wal_pages < kPages) return;
  if (wal_pages >= kInlinePages) {
    // Far behind: the writer pays for a checkpoint itself, which bounds the WAL's size.
    if (auto s = writer_.Checkpoint(); !s.ok()) spdlog::warn("store: {}", s.status().ToString());
    return;
  }
  absl::MutexLock lock(&mu_);
  if (wal_pages < copied_) copied_ = 0;  // the WAL restarted from its beginning
  if (wal_pages - copied_ >= kPages) due_ = true;
}

void WalCheckpointer::Run() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](WalCheckpointer* c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(c->mu_) {
            return c->due_ || c->stop_;
          },
          this));
      if (stop_) return;
      due_ = false;
    }
    absl::StatusOr<int> copied = conn_->Checkpoint();
    if (!copied.ok()) {
      spdlog::warn("store: {}", copied.status().ToString());
      continue;
    }
    absl::MutexLock lock(&mu_);
    copied_ = *copied;
  }
}

}  // namespace asgard::store
