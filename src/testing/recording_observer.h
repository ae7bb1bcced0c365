// File: recording_observer.h
// A RunObserver that keeps everything it is told, for assertions.
#pragma once

#include <vector>

#include "process/observer.h"

namespace asgard::testing {

class RecordingObserver final : public process::RunObserver {
 public:
  void OnStateChange(process::TaskKind, const std::string&, process::ProcessState,
                     process::ProcessState to) override {
    states.push_back(to);
  }
  void OnArchive(const process::ArchiveRecord& r) override { archives.push_back(r); }
  void OnException(const process::ExceptionRecord& e) override { exceptions.push_back(e); }

  std::vector<process::ProcessState> states;
  std::vector<process::ArchiveRecord> archives;
  std::vector<process::ExceptionRecord> exceptions;
};

}  // namespace asgard::testing
