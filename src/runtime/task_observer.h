// File: task_observer.h
// What the runtime tells about each task it runs, by TaskId: the records of its runs (archive
// and exception) as the process layer makes them. Guard and Cron keep the latest ones for
// `show` (RecentRecords) and forward them to one TaskObserver (the agent's reports).
//
// Thread-safety: called on the loop thread.
#pragma once

#include "process/records.h"
#include "runtime/task_def.h"

namespace asgard::runtime {

class TaskObserver {
 public:
  virtual ~TaskObserver() = default;
  virtual void OnArchive(const TaskId& id, const process::ArchiveRecord& record) = 0;
  virtual void OnException(const TaskId& id, const process::ExceptionRecord& record) = 0;
};

}  // namespace asgard::runtime
