// File: worker_pool.h
// A fixed set of threads running queued jobs, with a bounded queue: a job that finds it full is
// refused at once (the server answers 503), so a flood waits nowhere unbounded.
//
//   WorkerPool pool(16, 1024);
//   if (!pool.Submit([=] { Handle(req); })) Answer503();
//
// Thread-safety: Submit from any thread. The destructor runs what is queued, then joins.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace asgard::http {

class WorkerPool {
 public:
  WorkerPool(size_t threads, size_t max_queued);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // False when the queue is full or the pool is stopping.
  bool Submit(std::function<void()> job);

 private:
  void Work();

  const size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace asgard::http
