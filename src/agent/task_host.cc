#include "agent/task_host.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "common/absl_fmt.h"
#include "common/status_macros.h"
#include "rpc/task_enums.h"
#include "rpc/task_set_convert.h"
#include "spdlog/spdlog.h"

namespace asgard::agent {
namespace {

int64_t UnixSeconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

int64_t UnixNow() { return UnixSeconds(std::chrono::system_clock::now()); }

RefKey KeyOf(const v1::TaskRef& ref) { return {static_cast<int>(ref.kind()), ref.id()}; }

// What a task that does not run because it is paused looks like.
const char* PausedState(v1::TaskKind kind) {
  switch (kind) {
    case v1::TASK_KIND_JOB:
      return "disabled";
    case v1::TASK_KIND_TIMING:
      return "paused";
    default:
      return "stopped";
  }
}

// The runtime's state name as the store reads it: a timing whose run ended on its own is
// "exited" there (status 3, done).
std::string WireState(v1::TaskKind kind, const std::string& state) {
  if (kind == v1::TASK_KIND_TIMING && state == "done") return "exited";
  return state;
}

}  // namespace

TaskHost::TaskHost(EventLoop& loop, process::Launcher& launcher,
                   std::unique_ptr<runtime::FiredStore> fired, TaskIdentities identities)
    : loop_(loop),
      identities_(std::move(identities)),
      guard_(loop, launcher),
      // Timings are remembered as fired by id (Cron::FiredKey), not by name: renaming a
      // timing that already ran must not run it again.
      cron_(loop, launcher, std::move(fired)) {
  guard_.SetForward(this);
  cron_.SetForward(this);
}

TaskHost::~TaskHost() = default;

void TaskHost::ApplyAssignment(const v1::Assignment& assignment) {
  std::map<RefKey, v1::TaskDefinition> next;
  std::map<RefKey, runtime::TaskDef> next_tasks;
  for (const v1::TaskDefinition& def : assignment.tasks()) {
    absl::StatusOr<runtime::TaskDef> task = Convert(def);
    if (!task.ok()) {
      spdlog::error("assignment: skipping {}", task.status().message());
      QueueException(def.ref(), absl::StrCat("invalid definition: ", task.status().message()));
      continue;
    }
    next[KeyOf(def.ref())] = def;
    next_tasks.insert_or_assign(KeyOf(def.ref()), *std::move(task));
  }
  if (has_assignment_ && next.size() == defs_.size() &&
      std::equal(next.begin(), next.end(), defs_.begin(), [](const auto& a, const auto& b) {
        return a.first == b.first &&
               a.second.SerializeAsString() == b.second.SerializeAsString();
      })) {
    if (version_ != assignment.version()) {
      version_ = assignment.version();
      if (on_change_) on_change_();
    }
    return;  // the same work: nothing to touch
  }
  spdlog::info("applying assignment version {} ({} tasks)", assignment.version(), next.size());
  defs_ = std::move(next);
  tasks_ = std::move(next_tasks);
  version_ = assignment.version();
  has_assignment_ = true;
  Reapply();
}

v1::Assignment TaskHost::Snapshot() const {
  v1::Assignment out;
  out.set_version(version_);
  for (const auto& [key, def] : defs_) *out.add_tasks() = def;
  return out;
}

absl::StatusOr<runtime::TaskDef> TaskHost::Convert(const v1::TaskDefinition& def) const {
  absl::StatusOr<runtime::TaskDef> task = rpc::ToTaskDef(def);
  if (!task.ok()) return task.status();
  if (auto who = IdentityOf(def, identities_); !who.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("task '", def.name(), "' (id ", def.ref().id(),
                                                   "): ", who.status().message()));
  }
  return task;
}

void TaskHost::ApplyIdentity(const v1::TaskDefinition& def, process::ProcessSpec* spec) {
  absl::StatusOr<TaskIdentity> who = IdentityOf(def, identities_);  // checked on arrival
  if (!who.ok()) return;
  spec->user = who->user;
  spec->isolated = who->isolated;
  spec->files_as_user = who->files_as_user;
  if (who->isolated && homes_made_.insert(who->isolated->uid).second) {
    if (absl::Status s = PrepareHome(*who->isolated); !s.ok()) {
      spdlog::warn("home of uid {}: {}", who->isolated->uid, s.message());
      homes_made_.erase(who->isolated->uid);
    }
  }
}

void TaskHost::Reapply() {
  if (stopping_) return;
  RememberTimingLogs();
  runtime::TaskSet tasks;
  for (const auto& [key, def] : defs_) {
    if (def.desired() != v1::DESIRED_RUN) continue;
    runtime::TaskDef task = tasks_.at(key);  // converted on arrival
    // A non-admin's task never runs as the agent's own user (root, usually).
    ApplyIdentity(def, &task.spec);
    tasks.Put(std::move(task));
  }
  guard_.Apply(tasks);
  cron_.Apply(tasks);
  if (on_change_) on_change_();
}

void TaskHost::RememberTimingLogs() {
  for (const auto& [key, def] : defs_) {
    if (def.ref().kind() == v1::TASK_KIND_TIMING) timing_logs_.Remember(def);
  }
  timing_logs_.Save();
}

const v1::TaskDefinition* TaskHost::Find(const v1::TaskRef& ref) const {
  auto it = defs_.find(KeyOf(ref));
  return it == defs_.end() ? nullptr : &it->second;
}

absl::StatusOr<v1::AgentTask> TaskHost::Upsert(const v1::TaskDefinition& def) {
  absl::StatusOr<runtime::TaskDef> task = Convert(def);
  if (!task.ok()) return task.status();
  defs_[KeyOf(def.ref())] = def;
  tasks_.insert_or_assign(KeyOf(def.ref()), *std::move(task));
  has_assignment_ = true;
  Reapply();
  return Get(def.ref());
}

absl::StatusOr<v1::AgentTask> TaskHost::Remove(const v1::TaskRef& ref) {
  const v1::TaskDefinition* def = Find(ref);
  if (!def) return absl::NotFoundError(absl::StrCat("no task ", ref.kind(), "/", ref.id()));
  v1::AgentTask out;
  *out.mutable_definition() = *def;
  out.mutable_observed()->mutable_ref()->CopyFrom(ref);
  rpc::SetState("removed", out.mutable_observed());
  defs_.erase(KeyOf(ref));
  tasks_.erase(KeyOf(ref));
  Reapply();
  return out;
}

absl::StatusOr<v1::AgentTask> TaskHost::SetDesired(const v1::TaskRef& ref, v1::Desired desired) {
  auto it = defs_.find(KeyOf(ref));
  if (it == defs_.end()) {
    return absl::NotFoundError(absl::StrCat("no task ", ref.kind(), "/", ref.id()));
  }
  if (it->second.desired() != desired) {
    it->second.set_desired(desired);
    Reapply();
  }
  return Get(ref);
}

absl::StatusOr<v1::AgentTask> TaskHost::Restart(const v1::TaskRef& ref) {
  const v1::TaskDefinition* def = Find(ref);
  if (!def) return absl::NotFoundError(absl::StrCat("no task ", ref.kind(), "/", ref.id()));
  if (ref.kind() != v1::TASK_KIND_APP) {
    return absl::FailedPreconditionError("restart is for apps; trigger runs a job now");
  }
  if (def->desired() != v1::DESIRED_RUN) return SetDesired(ref, v1::DESIRED_RUN);
  guard_.Restart(rpc::IdOf(*def));
  return Get(ref);
}

absl::StatusOr<v1::AgentTask> TaskHost::Trigger(const v1::TaskRef& ref) {
  const v1::TaskDefinition* def = Find(ref);
  if (!def) return absl::NotFoundError(absl::StrCat("no task ", ref.kind(), "/", ref.id()));
  if (ref.kind() != v1::TASK_KIND_JOB) {
    return absl::FailedPreconditionError(
        "trigger runs a job now; an app is restarted, a timing runs at its time");
  }
  if (def->desired() != v1::DESIRED_RUN) {
    return absl::FailedPreconditionError("the job is paused; start it first");
  }
  cron_.RunJobNow(rpc::IdOf(*def));
  return Get(ref);
}

std::optional<runtime::TaskView> TaskHost::View(const v1::TaskDefinition& def) const {
  if (def.desired() != v1::DESIRED_RUN) return std::nullopt;
  runtime::TaskId id = rpc::IdOf(def);
  return id.kind == runtime::TaskKind::kApp ? guard_.View(id) : cron_.View(id);
}

v1::AgentTask TaskHost::Describe(const v1::TaskDefinition& def) const {
  v1::AgentTask out;
  *out.mutable_definition() = def;
  v1::TaskObserved& o = *out.mutable_observed();
  *o.mutable_ref() = def.ref();
  std::optional<runtime::TaskView> view = View(def);
  if (!view) {
    rpc::SetState(PausedState(def.ref().kind()), &o);
    return out;
  }
  const runtime::TaskView& v = *view;
  rpc::SetState(WireState(def.ref().kind(), v.state), &o);
  o.set_pid(v.pid);
  o.set_restarts(v.restarts);
  if (v.last_exit) {
    o.set_has_last_exit(true);
    o.set_last_exit_status(v.last_exit->status);
    o.set_last_exit_signal(v.last_exit->signal);
    o.set_last_exit_at(UnixSeconds(v.last_exit->end));
  }
  if (v.next_run_at) o.set_next_run_at(UnixSeconds(*v.next_run_at));
  o.set_output_dropped_bytes(v.output_dropped_bytes);
  return out;
}

absl::StatusOr<v1::AgentTask> TaskHost::Get(const v1::TaskRef& ref) {
  const v1::TaskDefinition* def = Find(ref);
  if (!def) return absl::NotFoundError(absl::StrCat("no task ", ref.kind(), "/", ref.id()));
  return Describe(*def);
}

std::vector<v1::AgentTask> TaskHost::List(v1::TaskKind kind) {
  std::vector<v1::AgentTask> out;
  for (const auto& [key, def] : defs_) {
    if (kind != v1::TASK_KIND_UNSPECIFIED && def.ref().kind() != kind) continue;
    out.push_back(Describe(def));
  }
  return out;
}

std::vector<v1::AgentTask> TaskHost::ListPage(v1::TaskKind kind, const v1::TaskRef* after,
                                              int limit, bool* more) {
  std::vector<v1::AgentTask> out;
  *more = false;
  size_t bytes = 0;
  auto it = after ? defs_.upper_bound(KeyOf(*after)) : defs_.begin();
  for (; it != defs_.end(); ++it) {
    const v1::TaskDefinition& def = it->second;
    if (kind != v1::TASK_KIND_UNSPECIFIED && def.ref().kind() != kind) continue;
    if (static_cast<int>(out.size()) >= limit || bytes >= kListPageBytes) {
      *more = true;
      break;
    }
    out.push_back(Describe(def));
    bytes += out.back().ByteSizeLong();
  }
  return out;
}

std::vector<v1::TaskObserved> TaskHost::Observed() {
  std::vector<v1::TaskObserved> out;
  out.reserve(defs_.size());
  for (const auto& [key, def] : defs_) out.push_back(Describe(def).observed());
  return out;
}

absl::StatusOr<TaskHost::LogFile> TaskHost::LogPath(const v1::TaskRef& ref,
                                                    const std::string& stream) const {
  const v1::TaskDefinition* def = Find(ref);
  // A finished timing left the assignment; its last run's output is still there to read.
  if (!def && ref.kind() == v1::TASK_KIND_TIMING) def = timing_logs_.Find(ref.id());
  if (!def) return absl::NotFoundError(absl::StrCat("no task ", ref.kind(), "/", ref.id()));
  if (stream != "stdout" && stream != "stderr") {
    return absl::InvalidArgumentError(absl::StrCat("stream: '", stream,
                                                   "' is not stdout or stderr"));
  }
  const std::string& path = stream == "stdout" ? def->std_out() : def->std_err();
  if (path.empty()) {
    return absl::NotFoundError(absl::StrCat("task '", def->name(), "' discards its ", stream));
  }
  LogFile file{path, std::nullopt};
  ASSIGN_OR_RETURN(TaskIdentity who, IdentityOf(*def, identities_));
  ASSIGN_OR_RETURN(file.read_as, ReaderOf(who));
  return file;
}

void TaskHost::SampleTasks() {
  guard_.Sample();
  cron_.Sample();
  int64_t now = UnixNow();
  for (const auto& [key, def] : defs_) {
    if (!def.is_monitor()) continue;
    std::optional<runtime::TaskView> view = View(def);
    if (!view || view->pid == 0) continue;
    const runtime::TaskView& v = *view;
    v1::MonitorSample& m = *pending_.add_monitors();
    *m.mutable_ref() = def.ref();
    m.set_pid(v.pid);
    m.set_cpu(v.cpu);
    m.set_memory(v.memory_mb);
    m.set_threads(v.threads);
    m.set_time(now);
  }
}

void TaskHost::SampleSelf() {
  auto s = self_sampler_.Sample(getpid());
  if (!s) return;
  v1::MonitorSample& m = *pending_.add_monitors();
  m.set_pid(getpid());
  m.set_cpu(s->cpu_percent);
  m.set_memory(s->rss_mb);
  m.set_threads(s->threads);
  m.set_time(UnixNow());
}

v1::ReportBatch TaskHost::TakeReports() {
  v1::ReportBatch out;
  out.Swap(&pending_);
  return out;
}

bool TaskHost::HasReports() const {
  return pending_.monitors_size() + pending_.archives_size() + pending_.exceptions_size() > 0;
}

void TaskHost::StopAll(std::function<void()> done) {
  stopping_ = true;
  auto remaining = std::make_shared<int>(2);
  auto one = [remaining, done] {
    if (--*remaining == 0) done();
  };
  guard_.StopAll(one);
  cron_.StopAll(one);
}

void TaskHost::OnClockJump() { cron_.OnClockJump(); }

// A removed task's last archive arrives once it has stopped: its id still names it.
void TaskHost::OnArchive(const runtime::TaskId& id, const process::ArchiveRecord& r) {
  v1::RunArchive& a = *pending_.add_archives();
  *a.mutable_ref() = rpc::RefOf(id);
  a.set_uuid(r.uuid);
  a.set_pid(r.pid);
  a.set_begin_time(UnixSeconds(r.begin));
  a.set_end_time(UnixSeconds(r.end));
  a.set_status(r.status);
  a.set_signal(r.signal);
}

void TaskHost::OnException(const runtime::TaskId& id, const process::ExceptionRecord& e) {
  v1::RunException& x = *pending_.add_exceptions();
  *x.mutable_ref() = rpc::RefOf(id);
  x.set_uuid(e.uuid);
  x.set_pid(e.pid);
  x.set_time(UnixSeconds(e.time));
  x.set_desc(e.desc);
}

void TaskHost::QueueException(const v1::TaskRef& ref, const std::string& desc) {
  v1::RunException& x = *pending_.add_exceptions();
  *x.mutable_ref() = ref;
  x.set_time(UnixNow());
  x.set_desc(desc);
}

}  // namespace asgard::agent
