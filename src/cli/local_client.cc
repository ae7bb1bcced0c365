#include "cli/local_client.h"

#include <sys/stat.h>

#include "asgard/v1/local.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "rpc/grpc_status.h"

namespace asgard::cli {
namespace {

constexpr auto kCallTimeout = std::chrono::seconds(30);
constexpr int kMaxReply = 256 * 1024 * 1024;

absl::StatusOr<std::unique_ptr<asgard::v1::Local::Stub>> Connect(const std::string& role,
                                                                 const std::string& socket) {
  struct stat st {};
  if (stat(socket.c_str(), &st) != 0) {
    return absl::UnavailableError("asgard " + role + " is not running (no socket at " + socket +
                                  "; start it with `asgard " + role + "`, or pass -s PATH)");
  }
  grpc::ChannelArguments args;
  // A status of 100,000 tasks is about 8 MB; the default 4 MiB limit would refuse it.
  args.SetMaxReceiveMessageSize(kMaxReply);
  auto channel =
      grpc::CreateCustomChannel("unix:" + socket, grpc::InsecureChannelCredentials(), args);
  return asgard::v1::Local::NewStub(channel);
}

absl::Status Explain(const std::string& role, const std::string& socket, const grpc::Status& s) {
  if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
      s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::UnavailableError("asgard " + role + " is not running (nothing answers on " +
                                  socket + ")");
  }
  return rpc::FromGrpc(s);
}

}  // namespace

absl::StatusOr<asgard::v1::ListResponse> ListTasks(const std::string& role,
                                                   const std::string& socket) {
  auto stub = Connect(role, socket);
  if (!stub.ok()) return stub.status();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kCallTimeout);
  asgard::v1::ListResponse resp;
  grpc::Status s = (*stub)->List(&ctx, asgard::v1::ListRequest(), &resp);
  if (!s.ok()) return Explain(role, socket, s);
  return resp;
}

absl::StatusOr<asgard::v1::TaskDetail> GetTask(const std::string& role, const std::string& socket,
                                               const std::string& name) {
  auto stub = Connect(role, socket);
  if (!stub.ok()) return stub.status();
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + kCallTimeout);
  asgard::v1::GetRequest req;
  req.set_name(name);
  asgard::v1::TaskDetail resp;
  grpc::Status s = (*stub)->Get(&ctx, req, &resp);
  if (!s.ok()) return Explain(role, socket, s);
  return resp;
}

}  // namespace asgard::cli
