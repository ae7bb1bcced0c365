#include "agent/agent_service.h"

#include <unistd.h>

#include <memory>
#include <thread>

#include "agent/log_follower.h"
#include "agent/log_tail.h"
#include "agent/on_loop.h"
#include "common/status_macros.h"
#include "process/fs_identity.h"
#include "process/proc_sampler.h"
#include "rpc/grpc_status.h"
#include "rpc/task_enums.h"

namespace asgard::agent {
namespace {

constexpr auto kFollowPoll = std::chrono::milliseconds(200);
constexpr int kDefaultTailLines = 50;
constexpr int kListPageTasks = 500;

int TailCount(int asked) { return asked <= 0 ? kDefaultTailLines : std::min(asked, kMaxTailLines); }

}  // namespace

v1::AgentListResponse ListPage(TaskHost& host, const v1::AgentListRequest& req) {
  v1::AgentListResponse out;
  int limit = req.page_size() <= 0 ? kListPageTasks : std::min(req.page_size(), kListPageTasks);
  bool more = false;
  for (auto& t : host.ListPage(req.kind(), req.has_after() ? &req.after() : nullptr, limit, &more)) {
    *out.add_tasks() = std::move(t);
  }
  out.set_more(more);
  out.set_assignment_version(host.version());
  return out;
}

AgentService::AgentService(EventLoop& loop, TaskHost& host, AgentServiceOptions options)
    : loop_(loop), host_(host), options_(std::move(options)), auth_(options_.control) {}

template <typename Fn>
grpc::Status AgentService::TaskCall(grpc::ServerContext* ctx, v1::AgentTask* resp, Fn fn) {
  if (grpc::Status s = auth_->CheckCall(*ctx); !s.ok()) return s;
  auto result = OnLoop<v1::AgentTask>(loop_, std::move(fn));
  if (!result.ok()) return rpc::ToGrpc(result.status());
  *resp = std::move(*result);
  return grpc::Status::OK;
}

grpc::Status AgentService::Stat(grpc::ServerContext* ctx, const v1::StatRequest*,
                                v1::StatResponse* resp) {
  if (grpc::Status s = auth_->CheckCall(*ctx); !s.ok()) return s;
  auto tasks = OnLoop<std::vector<v1::AgentTask>>(
      loop_, [this] { return host_.List(v1::TASK_KIND_UNSPECIFIED); });
  if (!tasks.ok()) return rpc::ToGrpc(tasks.status());
  for (const v1::AgentTask& t : *tasks) {
    switch (t.definition().ref().kind()) {
      case v1::TASK_KIND_APP:
        resp->set_apps(resp->apps() + 1);
        break;
      case v1::TASK_KIND_JOB:
        resp->set_jobs(resp->jobs() + 1);
        break;
      default:
        resp->set_timings(resp->timings() + 1);
    }
    (*resp->mutable_states())[rpc::StateOf(t.observed())] += 1;
  }
  if (auto stat = process::ReadProcStat(getpid())) {
    resp->set_memory(static_cast<double>(stat->rss_bytes) / (1024.0 * 1024.0));
    resp->set_threads(stat->threads);
    double alive = static_cast<double>(time(nullptr) - options_.started_at);
    resp->set_cpu(alive > 0 ? 100.0 * stat->cpu_seconds / alive : 0);
  }
  resp->set_started_at(options_.started_at);
  resp->set_version(options_.version);
  return grpc::Status::OK;
}

grpc::Status AgentService::List(grpc::ServerContext* ctx, const v1::AgentListRequest* req,
                                v1::AgentListResponse* resp) {
  if (grpc::Status s = auth_->CheckCall(*ctx); !s.ok()) return s;
  v1::AgentListRequest page = *req;
  auto listed = OnLoop<v1::AgentListResponse>(loop_, [this, page] {
    return ListPage(host_, page);
  });
  if (!listed.ok()) return rpc::ToGrpc(listed.status());
  *resp = std::move(*listed);
  return grpc::Status::OK;
}

grpc::Status AgentService::Get(grpc::ServerContext* ctx, const v1::TaskRef* req,
                               v1::AgentTask* resp) {
  return TaskCall(ctx, resp, [this, ref = *req] { return host_.Get(ref); });
}

grpc::Status AgentService::Add(grpc::ServerContext* ctx, const v1::TaskDefinition* req,
                               v1::AgentTask* resp) {
  return TaskCall(ctx, resp, [this, def = *req] { return host_.Upsert(def); });
}

grpc::Status AgentService::Update(grpc::ServerContext* ctx, const v1::TaskDefinition* req,
                                  v1::AgentTask* resp) {
  return TaskCall(ctx, resp, [this, def = *req] { return host_.Upsert(def); });
}

grpc::Status AgentService::Remove(grpc::ServerContext* ctx, const v1::TaskRef* req,
                                  v1::AgentTask* resp) {
  return TaskCall(ctx, resp, [this, ref = *req] { return host_.Remove(ref); });
}

grpc::Status AgentService::Start(grpc::ServerContext* ctx, const v1::TaskRef* req,
                                 v1::AgentTask* resp) {
  return TaskCall(ctx, resp,
                  [this, ref = *req] { return host_.SetDesired(ref, v1::DESIRED_RUN); });
}

grpc::Status AgentService::Stop(grpc::ServerContext* ctx, const v1::TaskRef* req,
                                v1::AgentTask* resp) {
  return TaskCall(ctx, resp,
                  [this, ref = *req] { return host_.SetDesired(ref, v1::DESIRED_PAUSE); });
}

grpc::Status AgentService::Restart(grpc::ServerContext* ctx, const v1::TaskRef* req,
                                   v1::AgentTask* resp) {
  return TaskCall(ctx, resp, [this, ref = *req] { return host_.Restart(ref); });
}

grpc::Status AgentService::Trigger(grpc::ServerContext* ctx, const v1::TaskRef* req,
                                   v1::AgentTask* resp) {
  return TaskCall(ctx, resp, [this, ref = *req] { return host_.Trigger(ref); });
}

grpc::Status AgentService::Sync(grpc::ServerContext* ctx, const v1::SyncRequest*,
                                v1::SyncResponse* resp) {
  if (grpc::Status s = auth_->CheckCall(*ctx); !s.ok()) return s;
  if (options_.on_sync) options_.on_sync();
  auto version = OnLoop<int64_t>(loop_, [this] { return host_.version(); });
  if (version.ok()) resp->set_assignment_version(*version);
  return grpc::Status::OK;
}

absl::StatusOr<TaskHost::LogFile> AgentService::LogPath(const v1::LogRequest& req) {
  return OnLoop<TaskHost::LogFile>(loop_, [this, ref = req.ref(), stream = req.stream()] {
    return host_.LogPath(ref, stream);
  });
}

namespace {

// The identity a log file is read with (null: the agent's own).
absl::StatusOr<std::shared_ptr<const process::FsIdentity>> ReaderOf(
    const TaskHost::LogFile& file) {
  if (!file.read_as) return nullptr;
  return std::make_shared<const process::FsIdentity>(*file.read_as);
}

// fn() with the file-system rights of `reader`.
template <typename Fn>
auto AsReader(const process::FsIdentity* reader, Fn fn) -> decltype(fn()) {
  process::FsIdentityScope scope(reader);
  if (absl::Status s = scope.status(); !s.ok()) return s;
  return fn();
}

}  // namespace

grpc::Status AgentService::TailLog(grpc::ServerContext* ctx, const v1::LogRequest* req,
                                   v1::LogLines* resp) {
  if (grpc::Status s = auth_->CheckCall(*ctx); !s.ok()) return s;
  auto file = LogPath(*req);
  if (!file.ok()) return rpc::ToGrpc(file.status());
  auto reader = ReaderOf(*file);
  if (!reader.ok()) return rpc::ToGrpc(reader.status());
  auto lines = AsReader(reader->get(), [&] { return TailLines(file->path, TailCount(req->lines())); });
  if (!lines.ok()) {
    if (absl::IsNotFound(lines.status())) return grpc::Status::OK;  // nothing written yet
    return rpc::ToGrpc(lines.status());
  }
  for (auto& line : *lines) resp->add_lines(std::move(line));
  return grpc::Status::OK;
}

namespace {

// The next batch of a follow stream: `lines` with where each ends.
v1::LogLines Batch(std::vector<FollowedLine> lines, off_t end_offset) {
  v1::LogLines batch;
  for (FollowedLine& line : lines) {
    batch.add_lines(std::move(line.text));
    v1::LogPosition* end = batch.add_ends();
    end->set_inode(line.end.inode);
    end->set_offset(line.end.offset);
  }
  batch.set_end_offset(end_offset);
  return batch;
}

// Where a follow stream starts: right after req.resume_after if a file still has it, else
// with the tail.
absl::StatusOr<LogFollower> StartFollowing(const std::string& path, const v1::LogRequest& req) {
  if (req.has_resume_after()) {
    absl::StatusOr<LogFollower> resumed = LogFollower::ResumeAfter(
        path, LogPosition{req.resume_after().inode(), req.resume_after().offset()});
    if (!absl::IsNotFound(resumed.status())) return resumed;
  }
  return LogFollower::AtTail(path, TailCount(req.lines()));
}

}  // namespace

grpc::Status AgentService::FollowLog(grpc::ServerContext* ctx, const v1::LogRequest* req,
                                     grpc::ServerWriter<v1::LogLines>* writer) {
  if (grpc::Status s = auth_->CheckCall(*ctx); !s.ok()) return s;
  auto file = LogPath(*req);
  if (!file.ok()) return rpc::ToGrpc(file.status());
  auto reader = ReaderOf(*file);
  if (!reader.ok()) return rpc::ToGrpc(reader.status());
  // The tail (or the rest after resume_after) comes through the follower too, so every line
  // has its end and nothing is sent twice or missed between tail and follow.
  auto follower = AsReader(reader->get(), [&] { return StartFollowing(file->path, *req); });
  if (!follower.ok()) return rpc::ToGrpc(follower.status());  // unreadable, not a regular file
  bool first = true;  // the first batch goes out even when empty: the stream is live
  while (!ctx->IsCancelled() && !stopping_) {
    auto lines = AsReader(reader->get(), [&] { return follower->Poll(); });
    if (!lines.ok()) return rpc::ToGrpc(lines.status());
    if (lines->empty() && !first) {
      std::this_thread::sleep_for(kFollowPoll);
      continue;
    }
    first = false;
    if (!writer->Write(Batch(*std::move(lines), follower->position()))) break;
  }
  return grpc::Status::OK;
}

}  // namespace asgard::agent
