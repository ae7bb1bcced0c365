// File: task_view.h
// A standalone daemon's view of one task for `status` and `show`: plain data, filled on the loop
// thread, turned into asgard.v1.TaskStatus by rpc/local_convert.h.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <deque>
#include <optional>
#include <string>

#include "process/proc_sampler.h"
#include "process/process_spec.h"
#include "process/records.h"

namespace asgard::runtime {

using WallTime = std::chrono::system_clock::time_point;

struct TaskView {
  int id = 0;
  process::TaskKind kind = process::TaskKind::kApp;
  std::string name, dir, program, args, std_out, std_err, user;
  std::string state;
  std::string desired = "run";
  pid_t pid = 0;
  int running = 0;
  std::optional<WallTime> started_at;
  int restarts = 0;
  std::optional<process::ArchiveRecord> last_exit;
  std::string spec;              // jobs
  std::optional<WallTime> time;  // timings
  std::optional<WallTime> next_run_at, last_run_at;
  bool auto_restart = false;
  int64_t timeout = 0;
  std::string concurrency;
  int skipped = 0;
  double cpu = 0, memory_mb = 0;
  int threads = 0;
  int64_t output_dropped_bytes = 0;  // of the latest run: its files could not be written
};

struct TaskDetailView {
  TaskView task;
  std::deque<process::ArchiveRecord> archives;      // latest first
  std::deque<process::ExceptionRecord> exceptions;  // latest first
};

// Copies what the configuration says (name, dir, command, files, user) into `view`.
void FillFromSpec(const process::ProcessSpec& spec, TaskView& view);
// Copies the latest CPU/memory/threads sample when the task has a process (view.pid != 0).
void FillFromSample(const process::ProcSample& sample, TaskView& view);

}  // namespace asgard::runtime
