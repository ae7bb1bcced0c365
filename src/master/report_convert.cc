#include "master/report_convert.h"

#include "absl/strings/str_cat.h"
#include "config/value_parsers.h"

namespace asgard::master {
namespace {

bool KnownKind(v1::TaskKind kind) {
  return kind == v1::TASK_KIND_APP || kind == v1::TASK_KIND_JOB || kind == v1::TASK_KIND_TIMING;
}

int TypeOf(const v1::TaskRef& ref) {
  return KnownKind(ref.kind()) ? static_cast<int>(ref.kind())
                               : static_cast<int>(store::TypeCode::kAgent);
}

int64_t RelatedId(const v1::TaskRef& ref, int64_t agent_id) {
  return KnownKind(ref.kind()) ? ref.id() : agent_id;
}

absl::Time FromUnix(int64_t seconds, absl::Time fallback) {
  return seconds > 0 ? absl::FromUnixSeconds(seconds) : fallback;
}

const std::string& UuidOr(const std::string& uuid, const std::string& stream) {
  return uuid.empty() ? stream : uuid;
}

}  // namespace

v1::TaskDefinition ToDefinition(const store::Task& task, bool as_task_user) {
  const store::TaskInput& in = task.input;
  v1::TaskDefinition d;
  d.mutable_ref()->set_kind(static_cast<v1::TaskKind>(task.kind));
  d.mutable_ref()->set_id(task.id);
  d.set_name(in.name);
  d.set_dir(in.dir);
  d.set_program(in.program);
  d.set_args(in.args);
  d.set_std_out(in.std_out);
  d.set_std_err(in.std_err);
  d.set_user(in.user);
  for (const auto& [k, v] : in.env) (*d.mutable_env())[k] = v;
  auto sig = config::ParseSignal(in.stop_signal);
  d.set_stop_signal(sig.ok() ? *sig : 15);
  d.set_stop_timeout(in.stop_timeout);
  d.set_max_bytes(in.max_bytes);
  d.set_backups(in.backups);
  d.set_is_monitor(in.is_monitor);
  d.set_auto_restart(in.auto_restart);
  d.set_start_secs(in.start_secs);
  d.set_max_restarts(in.max_restarts);
  d.set_backoff_max(in.backoff_max);
  d.set_spec(in.spec);
  d.set_concurrency(in.concurrency);
  d.set_time(absl::ToUnixSeconds(in.time));
  d.set_grace(in.grace);
  d.set_timeout(in.timeout);
  d.set_retries(in.retries);
  d.set_retry_delay(in.retry_delay);
  d.set_desired(task.desired == store::Desired::kRun ? v1::DESIRED_RUN : v1::DESIRED_PAUSE);
  d.set_as_task_user(as_task_user);
  return d;
}

v1::Assignment ToAssignmentProto(int64_t agent_id, const store::Assignment& assignment,
                                 const std::function<bool(int64_t creator)>& as_task_user) {
  v1::Assignment out;
  out.set_agent_id(agent_id);
  out.set_version(assignment.version);
  for (const auto* list : {&assignment.apps, &assignment.jobs, &assignment.timings}) {
    for (const store::Task& task : *list) {
      *out.add_tasks() = ToDefinition(task, as_task_user(task.creator));
    }
  }
  return out;
}

std::vector<store::ObservedReport> ToObservedReports(
    const google::protobuf::RepeatedPtrField<v1::TaskObserved>& tasks) {
  std::vector<store::ObservedReport> out;
  out.reserve(tasks.size());
  for (const v1::TaskObserved& t : tasks) {
    if (!KnownKind(t.ref().kind()) || t.ref().id() <= 0) continue;
    store::ObservedReport r;
    r.kind = static_cast<store::TaskKind>(t.ref().kind());
    r.id = t.ref().id();
    r.observed.state = t.state();
    r.observed.pid = t.pid();
    r.observed.restarts = t.restarts();
    if (t.has_last_exit()) {
      r.observed.last_exit_status = t.last_exit_status();
      r.observed.last_exit_signal = t.last_exit_signal();
      if (t.last_exit_at() > 0) r.observed.last_exit_at = absl::FromUnixSeconds(t.last_exit_at());
    }
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<ReportRows> ToReportRows(const v1::ReportBatch& batch, int64_t agent_id,
                                        absl::Time now) {
  if (batch.stream_uuid().empty()) {
    return absl::InvalidArgumentError("report: stream_uuid is empty");
  }
  if (batch.seq() <= 0) return absl::InvalidArgumentError("report: seq must be > 0");
  for (int n : {batch.monitors_size(), batch.archives_size(), batch.exceptions_size()}) {
    if (n > kMaxItemsPerBatch) {
      return absl::InvalidArgumentError(
          absl::StrCat("report: ", n, " items of one kind; at most ", kMaxItemsPerBatch));
    }
  }
  const std::string& stream = batch.stream_uuid();
  int64_t base = batch.seq() * kSeqStride;
  ReportRows rows;
  rows.archives.reserve(batch.archives_size());
  for (int i = 0; i < batch.archives_size(); ++i) {
    const v1::RunArchive& a = batch.archives(i);
    store::ArchiveRecord r;
    r.type = TypeOf(a.ref());
    r.related_id = RelatedId(a.ref(), agent_id);
    r.uuid = UuidOr(a.uuid(), stream);
    r.seq = base + i;
    r.pid = a.pid();
    r.end_time = FromUnix(a.end_time(), now);
    r.begin_time = FromUnix(a.begin_time(), r.end_time);
    r.status = a.status();
    r.signal = a.signal();
    r.created_at = r.end_time;
    rows.archives.push_back(std::move(r));
  }
  rows.exceptions.reserve(batch.exceptions_size());
  for (int i = 0; i < batch.exceptions_size(); ++i) {
    const v1::RunException& e = batch.exceptions(i);
    store::ExceptionRecord r;
    r.type = TypeOf(e.ref());
    r.related_id = RelatedId(e.ref(), agent_id);
    r.uuid = UuidOr(e.uuid(), stream);
    r.seq = base + i;
    r.desc = e.desc();
    r.created_at = FromUnix(e.time(), now);
    rows.exceptions.push_back(std::move(r));
  }
  rows.monitors.reserve(batch.monitors_size());
  for (int i = 0; i < batch.monitors_size(); ++i) {
    const v1::MonitorSample& m = batch.monitors(i);
    store::MonitorSample r;
    r.type = TypeOf(m.ref());
    r.related_id = RelatedId(m.ref(), agent_id);
    r.uuid = UuidOr(m.uuid(), stream);
    r.seq = base + i;
    r.pid = m.pid();
    r.cpu = m.cpu();
    r.memory = m.memory();
    r.threads = m.threads();
    r.created_at = FromUnix(m.time(), now);
    rows.monitors.push_back(std::move(r));
  }
  return rows;
}

}  // namespace asgard::master
