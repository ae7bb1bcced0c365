// File: recent_records.h
// Without a master, run records and exceptions go to the daemon's log and the latest ones are
// kept in memory (bounded per task) for `show`. Each task's runner reports through its own
// RunObserver (Tap(id)), which tags the records with the task's id.
//
//   RecentRecords records;
//   std::unique_ptr<process::RunObserver> tap = records.Tap(id);
//   auto supervisor = std::make_unique<Supervisor>(..., *tap);  // destroyed before tap
//   records.Archives(id);  // latest first
//
// Thread-safety: loop thread only.
#pragma once

#include <deque>
#include <map>
#include <memory>

#include "process/observer.h"
#include "runtime/task_def.h"
#include "runtime/task_observer.h"

namespace asgard::runtime {

class RecentRecords final {
 public:
  static constexpr size_t kKeep = 20;

  RecentRecords();
  ~RecentRecords();
  RecentRecords(const RecentRecords&) = delete;
  RecentRecords& operator=(const RecentRecords&) = delete;

  // The observer a runner of task `id` reports to. The caller owns it and keeps it until the
  // runner is gone (records of a stopping runner still arrive after Forget); it must not
  // outlive this RecentRecords.
  std::unique_ptr<process::RunObserver> Tap(const TaskId& id);

  const std::deque<process::ArchiveRecord>& Archives(const TaskId& id) const;
  const std::deque<process::ExceptionRecord>& Exceptions(const TaskId& id) const;
  // Also hands every archive and exception to `next` (the agent's reports).
  void SetForward(TaskObserver* next) { next_ = next; }
  // Drops a removed task's history.
  void Forget(const TaskId& id);

 private:
  class Tagged;
  void OnArchive(const TaskId& id, const process::ArchiveRecord& record);
  void OnException(const TaskId& id, const process::ExceptionRecord& record);

  std::map<TaskId, std::deque<process::ArchiveRecord>> archives_;
  std::map<TaskId, std::deque<process::ExceptionRecord>> exceptions_;
  TaskObserver* next_ = nullptr;
};

}  // namespace asgard::runtime
