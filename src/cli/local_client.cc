#include "cli/local_client.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/unique_fd.h"
#include "standalone/local_protocol.h"

namespace asgard::cli {
namespace {

constexpr int kCallTimeoutSeconds = 30;

absl::Status NotRunning(const std::string& role, const std::string& socket,
                        const std::string& why) {
  return absl::UnavailableError("asgard " + role + " is not running (" + why + " " + socket +
                                "; start it with `asgard " + role + "`, or pass -s PATH)");
}

absl::StatusOr<UniqueFd> Connect(const std::string& role, const std::string& socket) {
  struct stat st {};
  if (stat(socket.c_str(), &st) != 0) return NotRunning(role, socket, "no socket at");
  sockaddr_un addr{};
  if (socket.size() >= sizeof(addr.sun_path)) {
    return absl::InvalidArgumentError("socket path too long: " + socket);
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket.c_str(), socket.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return absl::InternalError(std::string("socket: ") + std::strerror(errno));
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    if (errno == EACCES) {
      return absl::PermissionDeniedError("no permission to use " + socket +
                                         " (it belongs to the user running the daemon)");
    }
    return NotRunning(role, socket, "nothing answers on");
  }
  timeval timeout{kCallTimeoutSeconds, 0};
  setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  return fd;
}

// One request, one reply; the reply's code becomes the Status.
absl::StatusOr<asgard::v1::LocalResponse> Call(const std::string& role, const std::string& socket,
                                               const asgard::v1::LocalRequest& request) {
  auto fd = Connect(role, socket);
  if (!fd.ok()) return fd.status();
  if (auto s = standalone::WriteFrame(fd->get(), request); !s.ok()) {
    return NotRunning(role, socket, "no answer on");
  }
  asgard::v1::LocalResponse response;
  if (auto s = standalone::ReadFrame(fd->get(), standalone::kMaxResponseBytes, &response);
      !s.ok()) {
    return absl::UnavailableError("asgard " + role + " did not answer on " + socket + ": " +
                                  std::string(s.message()));
  }
  if (response.code() != 0) {
    return absl::Status(static_cast<absl::StatusCode>(response.code()), response.message());
  }
  return response;
}

}  // namespace

absl::StatusOr<asgard::v1::ListResponse> ListTasks(const std::string& role,
                                                   const std::string& socket) {
  asgard::v1::ListResponse all;
  while (true) {
    asgard::v1::LocalRequest request;
    request.mutable_list()->set_offset(all.tasks_size());
    auto response = Call(role, socket, request);
    if (!response.ok()) return response.status();
    auto* page = response->mutable_list();
    for (auto& t : *page->mutable_tasks()) *all.add_tasks() = std::move(t);
    if (!page->more() || page->tasks_size() == 0) return all;
  }
}

absl::StatusOr<asgard::v1::AgentListResponse> ListAgentTasks(const std::string& socket) {
  asgard::v1::AgentListResponse all;
  asgard::v1::LocalRequest request;
  request.mutable_agent_list();
  while (true) {
    auto response = Call("agent", socket, request);
    if (!response.ok()) return response.status();
    auto* page = response->mutable_agent_list();
    all.set_assignment_version(page->assignment_version());
    for (auto& t : *page->mutable_tasks()) *all.add_tasks() = std::move(t);
    if (!page->more() || page->tasks_size() == 0) return all;
    *request.mutable_agent_list()->mutable_after() = all.tasks(all.tasks_size() - 1).definition().ref();
  }
}

absl::StatusOr<asgard::v1::TaskDetail> GetTask(const std::string& role, const std::string& socket,
                                               const std::string& name) {
  asgard::v1::LocalRequest request;
  request.mutable_get()->set_name(name);
  auto response = Call(role, socket, request);
  if (!response.ok()) return response.status();
  return std::move(*response->mutable_detail());
}

}  // namespace asgard::cli
