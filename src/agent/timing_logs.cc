#include "agent/timing_logs.h"

#include <google/protobuf/util/message_differencer.h>

#include "agent/assignment_cache.h"
#include "common/absl_fmt.h"
#include "spdlog/spdlog.h"

namespace asgard::agent {
namespace {

v1::TaskDefinition LogFields(const v1::TaskDefinition& def) {
  v1::TaskDefinition out;
  *out.mutable_ref() = def.ref();
  out.set_name(def.name());
  out.set_std_out(def.std_out());
  out.set_std_err(def.std_err());
  out.set_user(def.user());
  out.set_as_task_user(def.as_task_user());
  out.set_owner_id(def.owner_id());  // whose identity reads the files (task_identity.h)
  return out;
}

}  // namespace

TimingLogs::TimingLogs(std::string path) : path_(std::move(path)) {
  if (path_.empty()) return;
  auto saved = LoadAssignmentCache(path_);  // the same message: a list of definitions
  if (!saved.ok()) {
    spdlog::warn("{}", saved.status());
    return;
  }
  if (!*saved) return;
  for (const v1::TaskDefinition& def : (*saved)->tasks()) by_id_[def.ref().id()] = def;
}

void TimingLogs::Remember(const v1::TaskDefinition& def) {
  v1::TaskDefinition kept = LogFields(def);
  auto it = by_id_.find(def.ref().id());
  if (it != by_id_.end() && google::protobuf::util::MessageDifferencer::Equals(it->second, kept)) {
    return;
  }
  by_id_[def.ref().id()] = std::move(kept);
  while (by_id_.size() > kKeep) by_id_.erase(by_id_.begin());  // ids grow: the oldest first
  changed_ = true;
}

const v1::TaskDefinition* TimingLogs::Find(int64_t id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

void TimingLogs::Save() {
  if (!changed_ || path_.empty()) return;
  changed_ = false;
  v1::Assignment all;
  for (const auto& [id, def] : by_id_) *all.add_tasks() = def;
  if (auto s = SaveAssignmentCache(path_, all); !s.ok()) spdlog::warn("timing logs: {}", s);
}

}  // namespace asgard::agent
