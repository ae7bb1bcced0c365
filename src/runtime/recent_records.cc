#include "runtime/recent_records.h"

#include "spdlog/spdlog.h"

namespace asgard::runtime {
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

// The RunObserver of one task: logs state changes and hands records on with the task's id.
class RecentRecords::Tagged final : public process::RunObserver {
 public:
  Tagged(RecentRecords& owner, TaskId id) : owner_(owner), id_(std::move(id)) {}
  void OnStateChange(process::TaskKind kind, const std::string& name, process::ProcessState from,
                     process::ProcessState to) override {
    spdlog::info("{} {}: {} -> {}", process::TaskKindName(kind), name, process::StateName(from),
                 process::StateName(to));
  }
  void OnArchive(const process::ArchiveRecord& r) override { owner_.OnArchive(id_, r); }
  void OnException(const process::ExceptionRecord& e) override { owner_.OnException(id_, e); }

 private:
  RecentRecords& owner_;
  const TaskId id_;
};

RecentRecords::RecentRecords() = default;
RecentRecords::~RecentRecords() = default;

std::unique_ptr<process::RunObserver> RecentRecords::Tap(const TaskId& id) {
  return std::make_unique<Tagged>(*this, id);
}

void RecentRecords::OnArchive(const TaskId& id, const process::ArchiveRecord& r) {
  spdlog::info("archive {} {}: uuid={} pid={} begin={} end={} status={} signal={}",
               process::TaskKindName(r.kind), r.name, r.uuid, r.pid, Seconds(r.begin),
               Seconds(r.end), r.status, r.signal);
  PushBounded(archives_[id], r, kKeep);
  if (next_) next_->OnArchive(id, r);
}

void RecentRecords::OnException(const TaskId& id, const process::ExceptionRecord& e) {
  spdlog::warn("exception {} {}: {} (uuid={} pid={})", process::TaskKindName(e.kind), e.name,
               e.desc, e.uuid, e.pid);
  PushBounded(exceptions_[id], e, kKeep);
  if (next_) next_->OnException(id, e);
}

const std::deque<process::ArchiveRecord>& RecentRecords::Archives(const TaskId& id) const {
  static const std::deque<process::ArchiveRecord> kNone;
  auto it = archives_.find(id);
  return it == archives_.end() ? kNone : it->second;
}

const std::deque<process::ExceptionRecord>& RecentRecords::Exceptions(const TaskId& id) const {
  static const std::deque<process::ExceptionRecord> kNone;
  auto it = exceptions_.find(id);
  return it == exceptions_.end() ? kNone : it->second;
}

void RecentRecords::Forget(const TaskId& id) {
  archives_.erase(id);
  exceptions_.erase(id);
}

}  // namespace asgard::runtime
