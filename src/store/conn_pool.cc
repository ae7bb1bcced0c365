// File: conn_pool.cc
#include "store/conn_pool.h"

namespace asgard::store {

ConnPool::ConnPool(std::vector<std::unique_ptr<SqlConn>> conns) : all_(std::move(conns)) {
  for (const auto& conn : all_) free_.push_back(conn.get());
}

ConnPool::Lease ConnPool::Acquire() {
  auto any_free = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !free_.empty(); };
  mu_.LockWhen(absl::Condition(&any_free));
  SqlConn* conn = free_.back();
  free_.pop_back();
  mu_.Unlock();
  return Lease(this, conn);
}

void ConnPool::Release(SqlConn* conn) {
  absl::MutexLock lock(&mu_);
  free_.push_back(conn);
}

}  // namespace asgard::store
