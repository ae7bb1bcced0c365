// File: task_host.h
// What the agent runs: its assignment (task definitions with desired state, by kind and id),
// turned into a runtime::TaskSet (rpc/task_set_convert.h) that drives the same Guard (apps) and
// Cron (jobs, timings) the standalone daemons use, keyed by typed TaskId (kind, store id,
// name). A new assignment, or one changed task, is applied as a difference: unchanged tasks are
// left alone, paused ones are stopped, changed ones restarted with their new definition.
// Everything runs leave behind (archives, exceptions, which arrive with their TaskId) and the
// CPU/memory samples of monitored tasks are queued here as report items until TakeReports().
//
//   TaskHost host(loop, launcher, std::move(fired));
//   host.ApplyAssignment(assignment);
//   v1::ReportBatch batch = host.TakeReports();   // every second, into the spool
//
// Thread-safety: loop thread only (the gRPC service and the uplink post to the loop).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "agent/task_identity.h"
#include "agent/timing_logs.h"
#include "asgard/v1/agent.pb.h"
#include "asgard/v1/master.pb.h"
#include "common/event_loop.h"
#include "process/launcher.h"
#include "process/proc_sampler.h"
#include "runtime/cron.h"
#include "runtime/guard.h"
#include "runtime/task_observer.h"

namespace asgard::agent {

using RefKey = std::pair<int, int64_t>;  // (kind, id)

class TaskHost final : public runtime::TaskObserver {
 public:
  // `identities`: who runs which task (task_identity.h).
  TaskHost(EventLoop& loop, process::Launcher& launcher, std::unique_ptr<runtime::FiredStore> fired,
           TaskIdentities identities = {});
  ~TaskHost() override;

  // Replaces the whole assignment. Invalid definitions are skipped (an exception is reported
  // for each); the rest run.
  void ApplyAssignment(const v1::Assignment& assignment);
  int64_t version() const { return version_; }
  bool has_assignment() const { return has_assignment_; }
  v1::Assignment Snapshot() const;

  // The web node's direct changes (the master's next assignment confirms them).
  absl::StatusOr<v1::AgentTask> Upsert(const v1::TaskDefinition& def);
  absl::StatusOr<v1::AgentTask> Remove(const v1::TaskRef& ref);
  absl::StatusOr<v1::AgentTask> SetDesired(const v1::TaskRef& ref, v1::Desired desired);
  absl::StatusOr<v1::AgentTask> Restart(const v1::TaskRef& ref);
  absl::StatusOr<v1::AgentTask> Trigger(const v1::TaskRef& ref);

  absl::StatusOr<v1::AgentTask> Get(const v1::TaskRef& ref);
  // Every task in kind/id order; `kind` unspecified = all.
  std::vector<v1::AgentTask> List(v1::TaskKind kind);
  // One page of List: at most `limit` tasks, and about kListPageBytes, after `after` (none:
  // from the first); `more` says whether others follow.
  static constexpr size_t kListPageBytes = 4 << 20;
  std::vector<v1::AgentTask> ListPage(v1::TaskKind kind, const v1::TaskRef* after, int limit,
                                      bool* more);
  std::vector<v1::TaskObserved> Observed();
  // stdout/stderr file of a task ("stdout" or "stderr"); NotFound for an unknown task or one
  // whose stream is discarded, InvalidArgument for another stream name.
  struct LogFile {
    std::string path;
    // Whose rights to read it with (none = the agent's own): the identity the task runs as
    // when a non-admin chose the path, so that it cannot name a file only root may read.
    std::optional<process::FsIdentity> read_as;
  };
  // A finished timing's files stay known after it left the assignment (timing_logs.h).
  absl::StatusOr<LogFile> LogPath(const v1::TaskRef& ref, const std::string& stream) const;
  // Keeps what timing_logs.h remembers in `path` too (across agent restarts).
  void KeepTimingLogsIn(const std::string& path) { timing_logs_ = TimingLogs(path); }

  // Samples the processes of every task (every system.moniter seconds) and queues a monitor
  // sample per running monitored task.
  void SampleTasks();
  // Queues a sample of the agent process itself (every agent.moniter seconds).
  void SampleSelf();
  // Report items queued since the last call (no agent id, stream or seq yet).
  v1::ReportBatch TakeReports();
  bool HasReports() const;

  void StopAll(std::function<void()> done);
  void OnClockJump();
  // Called after every change of what runs (to keep the on-disk cache current).
  void OnChange(std::function<void()> fn) { on_change_ = std::move(fn); }

  // TaskObserver: records of Guard and Cron, with the id of their task.
  void OnArchive(const runtime::TaskId& id, const process::ArchiveRecord& record) override;
  void OnException(const runtime::TaskId& id, const process::ExceptionRecord& record) override;

 private:
  const v1::TaskDefinition* Find(const v1::TaskRef& ref) const;
  // Rebuilds the TaskSet from defs_ and applies the difference.
  void Reapply();
  // Keeps the log files of the assigned timings for after they leave the assignment.
  void RememberTimingLogs();
  v1::AgentTask Describe(const v1::TaskDefinition& def) const;
  // What Guard or Cron show of the task; nullopt when it does not run (paused, not valid).
  std::optional<runtime::TaskView> View(const v1::TaskDefinition& def) const;
  void QueueException(const v1::TaskRef& ref, const std::string& desc);
  // The definition in the runtime's terms (rpc/task_set_convert.h), if it passes its checks
  // and has an identity here.
  absl::StatusOr<runtime::TaskDef> Convert(const v1::TaskDefinition& def) const;
  // Gives `spec` the identity the task runs as (its home made on first use).
  void ApplyIdentity(const v1::TaskDefinition& def, process::ProcessSpec* spec);

  EventLoop& loop_;
  const TaskIdentities identities_;
  std::set<uid_t> homes_made_;
  runtime::Guard guard_;
  runtime::Cron cron_;
  process::ProcSampler self_sampler_;
  std::map<RefKey, v1::TaskDefinition> defs_;
  std::map<RefKey, runtime::TaskDef> tasks_;  // defs_ converted once, on arrival (same keys)
  TimingLogs timing_logs_;  // files of the timings run here, also after they left defs_
  int64_t version_ = 0;
  bool has_assignment_ = false;
  bool stopping_ = false;
  v1::ReportBatch pending_;
  std::function<void()> on_change_;
};

}  // namespace asgard::agent
