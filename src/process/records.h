// File: records.h
// What a run leaves behind: its exit, an archive record (one per run, the original's codes) and
// exceptions (start failures, restart limits, failed runs). Plain data shared by guard, cron and
// agent; the agent turns them into reports for the master.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

namespace asgard::process {

using WallClock = std::chrono::system_clock;

// Archive status codes of the original Asgard (ORIGINAL.md 3.9).
inline constexpr int kStatusSignalled = -1;  // killed by a signal not sent by Asgard
inline constexpr int kStatusStopped = -2;    // stopped by Asgard (pause, remove, shutdown)
inline constexpr int kStatusUnknown = -3;    // no exit information

enum class TaskKind { kApp, kJob, kTiming };
const char* TaskKindName(TaskKind kind);  // "app", "job", "timing"

// How the main process of a run ended, as the reaper saw it.
struct ExitInfo {
  pid_t pid = 0;
  bool signalled = false;
  int code = 0;    // exit code when !signalled
  int signal = 0;  // terminating signal when signalled
  WallClock::time_point end;
};

struct ArchiveRecord {
  TaskKind kind = TaskKind::kApp;
  std::string name;
  std::string uuid;  // run id (also ASGARD_RUN_ID in the run's environment)
  pid_t pid = 0;
  WallClock::time_point begin;
  WallClock::time_point end;
  int status = 0;      // exit code, or kStatus* above
  std::string signal;  // "terminated", "killed", "kill" (stopped by Asgard), "unknow", or ""
};

struct ExceptionRecord {
  TaskKind kind = TaskKind::kApp;
  std::string name;
  std::string uuid;
  pid_t pid = 0;
  WallClock::time_point time;
  std::string desc;  // the original's texts: "start fail: ...", "restart reach max limited", ...
};

// Lower-case signal description as the original (Go) printed it: "killed", "terminated".
std::string SignalDescription(int sig);

// The archive record of a finished run. `stopped_by_us` gives the original's -2/"kill".
ArchiveRecord MakeArchive(TaskKind kind, const std::string& name, const std::string& uuid,
                          WallClock::time_point begin, const ExitInfo& exit, bool stopped_by_us);

}  // namespace asgard::process
