#include "standalone/local_service.h"

#include <future>

#include "standalone/local_convert.h"

namespace asgard::standalone {
namespace {

constexpr auto kLoopTimeout = std::chrono::seconds(5);

// Runs `fn` on the loop thread and waits for it; UNAVAILABLE if the loop is not answering
// (shutting down).
template <typename Fn>
grpc::Status OnLoop(EventLoop& loop, Fn fn) {
  auto done = std::make_shared<std::promise<grpc::Status>>();
  auto result = done->get_future();
  loop.Post([done, fn = std::move(fn)]() mutable { done->set_value(fn()); });
  if (result.wait_for(kLoopTimeout) != std::future_status::ready) {
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the daemon is busy or shutting down");
  }
  return result.get();
}

}  // namespace

grpc::Status LocalService::List(grpc::ServerContext*, const asgard::v1::ListRequest*,
                                asgard::v1::ListResponse* resp) {
  // Shared with the posted work: it may still run after a timed-out call returned.
  auto answer = std::make_shared<asgard::v1::ListResponse>();
  StandaloneRole& role = role_;
  grpc::Status status = OnLoop(loop_, [answer, &role] {
    for (const auto& view : role.List()) ToProto(view, answer->add_tasks());
    return grpc::Status::OK;
  });
  if (status.ok()) resp->Swap(answer.get());
  return status;
}

grpc::Status LocalService::Get(grpc::ServerContext*, const asgard::v1::GetRequest* req,
                               asgard::v1::TaskDetail* resp) {
  auto answer = std::make_shared<asgard::v1::TaskDetail>();
  StandaloneRole& role = role_;
  grpc::Status status = OnLoop(loop_, [answer, &role, name = req->name()] {
    auto detail = role.Get(name);
    if (!detail) return grpc::Status(grpc::StatusCode::NOT_FOUND, "no task named '" + name + "'");
    ToProto(*detail, answer.get());
    return grpc::Status::OK;
  });
  if (status.ok()) resp->Swap(answer.get());
  return status;
}

}  // namespace asgard::standalone
