// File: recent_records.h
// Without a master, run records and exceptions go to the daemon's log and the latest ones are
// kept in memory (bounded per task) for `show`.
//
// Thread-safety: loop thread only.
#pragma once

#include <deque>
#include <map>
#include <string>
#include <utility>

#include "process/observer.h"

namespace asgard::standalone {

class RecentRecords final : public process::RunObserver {
 public:
  static constexpr size_t kKeep = 20;

  void OnStateChange(process::TaskKind kind, const std::string& name, process::ProcessState from,
                     process::ProcessState to) override;
  void OnArchive(const process::ArchiveRecord& record) override;
  void OnException(const process::ExceptionRecord& record) override;

  const std::deque<process::ArchiveRecord>& Archives(process::TaskKind kind,
                                                     const std::string& name) const;
  const std::deque<process::ExceptionRecord>& Exceptions(process::TaskKind kind,
                                                         const std::string& name) const;
  // Also hands every state change, archive and exception to `next` (the agent's reports).
  void SetForward(process::RunObserver* next) { next_ = next; }
  // Drops a removed task's history.
  void Forget(process::TaskKind kind, const std::string& name);

 private:
  using Key = std::pair<process::TaskKind, std::string>;
  std::map<Key, std::deque<process::ArchiveRecord>> archives_;
  std::map<Key, std::deque<process::ExceptionRecord>> exceptions_;
  process::RunObserver* next_ = nullptr;
};

}  // namespace asgard::standalone
