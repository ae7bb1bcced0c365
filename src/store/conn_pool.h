// File: conn_pool.h
// A fixed set of connections, each lent to one caller at a time: the SqlStore's read-only
// connections (its writer keeps its own mutex). A lease blocks while every connection is lent
// and gives its connection back when it ends; the most recently returned connection is lent
// first, so that a light load keeps using the same warm statement cache.
//
//   ConnPool pool(std::move(readers));
//   ConnPool::Lease lease = pool.Acquire();
//   ASSIGN_OR_RETURN(auto rows, lease->Query("SELECT ...", {id}));
//
// Thread-safety: Acquire may be called from any thread; a Lease belongs to the thread that
// holds it, and must end before the pool is destroyed.
#pragma once

#include <memory>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "store/sql.h"

namespace asgard::store {

class ConnPool {
 public:
  // `conns` must not be empty.
  explicit ConnPool(std::vector<std::unique_ptr<SqlConn>> conns);
  ConnPool(const ConnPool&) = delete;
  ConnPool& operator=(const ConnPool&) = delete;

  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(other.conn_) {
      other.conn_ = nullptr;
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (conn_ != nullptr) pool_->Release(conn_);
    }
    SqlConn& operator*() const { return *conn_; }
    SqlConn* operator->() const { return conn_; }

   private:
    friend class ConnPool;
    Lease(ConnPool* pool, SqlConn* conn) : pool_(pool), conn_(conn) {}
    ConnPool* pool_;
    SqlConn* conn_;
  };

  // A free connection; waits for one while all are lent.
  Lease Acquire() ABSL_LOCKS_EXCLUDED(mu_);
  size_t size() const { return all_.size(); }

 private:
  void Release(SqlConn* conn) ABSL_LOCKS_EXCLUDED(mu_);

  const std::vector<std::unique_ptr<SqlConn>> all_;  // owns; never changes after construction
  absl::Mutex mu_;
  std::vector<SqlConn*> free_ ABSL_GUARDED_BY(mu_);  // a stack: the last returned goes first
};

}  // namespace asgard::store
