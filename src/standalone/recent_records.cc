#include "standalone/recent_records.h"

#include "spdlog/spdlog.h"

namespace asgard::standalone {
namespace {

int64_t Seconds(process::WallClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

template <typename T>
void PushBounded(std::deque<T>& q, const T& item, size_t keep) {
  q.push_front(item);
  while (q.size() > keep) q.pop_back();
}

}  // namespace

void RecentRecords::OnStateChange(process::TaskKind kind, const std::string& name,
                                  process::ProcessState from, process::ProcessState to) {
  spdlog::info("{} {}: {} -> {}", process::TaskKindName(kind), name, process::StateName(from),
               process::StateName(to));
  if (next_) next_->OnStateChange(kind, name, from, to);
}

void RecentRecords::OnArchive(const process::ArchiveRecord& r) {
  spdlog::info("archive {} {}: uuid={} pid={} begin={} end={} status={} signal={}",
               process::TaskKindName(r.kind), r.name, r.uuid, r.pid, Seconds(r.begin),
               Seconds(r.end), r.status, r.signal);
  PushBounded(archives_[{r.kind, r.name}], r, kKeep);
  if (next_) next_->OnArchive(r);
}

void RecentRecords::OnException(const process::ExceptionRecord& e) {
  spdlog::warn("exception {} {}: {} (uuid={} pid={})", process::TaskKindName(e.kind), e.name,
               e.desc, e.uuid, e.pid);
  PushBounded(exceptions_[{e.kind, e.name}], e, kKeep);
  if (next_) next_->OnException(e);
}

const std::deque<process::ArchiveRecord>& RecentRecords::Archives(process::TaskKind kind,
                                                                  const std::string& name) const {
  static const std::deque<process::ArchiveRecord> kNone;
  auto it = archives_.find({kind, name});
  return it == archives_.end() ? kNone : it->second;
}

const std::deque<process::ExceptionRecord>& RecentRecords::Exceptions(
    process::TaskKind kind, const std::string& name) const {
  static const std::deque<process::ExceptionRecord> kNone;
  auto it = exceptions_.find({kind, name});
  return it == exceptions_.end() ? kNone : it->second;
}

void RecentRecords::Forget(process::TaskKind kind, const std::string& name) {
  archives_.erase({kind, name});
  exceptions_.erase({kind, name});
}

}  // namespace asgard::standalone
