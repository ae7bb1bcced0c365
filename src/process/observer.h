// File: observer.h
// Where the runtime reports what happened: state changes, archive records and exceptions.
// Guard and cron keep the latest ones for `show`; the agent batches them for the master.
#pragma once

#include <string>

#include "process/process_state.h"
#include "process/records.h"

namespace asgard::process {

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void OnStateChange(TaskKind kind, const std::string& name, ProcessState from,
                             ProcessState to) {}
  virtual void OnArchive(const ArchiveRecord& record) = 0;
  virtual void OnException(const ExceptionRecord& record) = 0;
};

}  // namespace asgard::process
