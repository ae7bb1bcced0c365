#include "master/report_convert.h"

#include "absl/strings/str_cat.h"
#include "rpc/task_enums.h"

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

std::vector<store::ObservedReport> ToObservedReports(
    const google::protobuf::RepeatedPtrField<v1::TaskObserved>& tasks) {
  std::vector<store::ObservedReport> out;
  out.reserve(tasks.size());
  for (const v1::TaskObserved& t : tasks) {
    if (!KnownKind(t.ref().kind()) || t.ref().id() <= 0) continue;
    store::ObservedReport r;
    r.kind = static_cast<store::TaskKind>(t.ref().kind());
    r.id = t.ref().id();
    r.observed.state = rpc::StateOf(t);
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
