#include "standalone/local_server.h"

#include <fcntl.h>
#include <malloc.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "common/errno_status.h"
#include "standalone/local_convert.h"

namespace asgard::standalone {
namespace {

constexpr auto kRequestTimeout = std::chrono::seconds(5);
constexpr int kReplySendTimeoutSeconds = 10;
constexpr size_t kTrimAfterBytes = 1 << 20;

}  // namespace

asgard::v1::LocalResponse LocalFailure(int code, const std::string& message) {
  asgard::v1::LocalResponse r;
  r.set_code(code);
  r.set_message(message);
  return r;
}

absl::StatusOr<std::unique_ptr<LocalServer>> LocalServer::Listen(EventLoop& loop,
                                                                 LocalHandler handler,
                                                                 const std::string& path) {
  sockaddr_un addr{};
  if (path.size() >= sizeof(addr.sun_path)) {
    return absl::InvalidArgumentError("socket path too long (max 107 bytes): " + path);
  }
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return ErrnoStatus("socket");
  // Owner only from the start: umask covers the window between bind() and chmod().
  mode_t old_mask = umask(0177);
  int bound = bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  umask(old_mask);
  if (bound != 0) return ErrnoStatus("bind " + path);
  if (listen(fd.get(), 64) != 0) return ErrnoStatus("listen " + path);
  std::unique_ptr<LocalServer> server(new LocalServer(loop, std::move(handler), std::move(fd)));
  auto* self = server.get();
  if (auto s = loop.Watch(self->listener_.get(), [self] { self->OnAccept(); }); !s.ok()) return s;
  return server;
}

LocalServer::LocalServer(EventLoop& loop, LocalHandler handler, UniqueFd listener)
    : loop_(loop), handler_(std::move(handler)), listener_(std::move(listener)) {}

LocalServer::~LocalServer() {
  while (!connections_.empty()) Close(connections_.begin()->first);
  loop_.Unwatch(listener_.get());
}

void LocalServer::OnAccept() {
  for (;;) {
    UniqueFd fd(accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
    if (!fd.valid()) return;  // EAGAIN: no more pending connections
    int raw = fd.get();
    Connection& conn = connections_[raw];
    conn.fd = std::move(fd);
    conn.deadline = loop_.RunAfter(kRequestTimeout, [this, raw] {
      auto it = connections_.find(raw);
      if (it == connections_.end()) return;
      it->second.deadline = 0;  // firing now: nothing to cancel
      Close(raw);
    });
    if (!loop_.Watch(raw, [this, raw] { OnReadable(raw); }).ok()) Close(raw);
  }
}

void LocalServer::OnReadable(int fd) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof(buf));
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0 || !it->second.buffer.Append(buf, static_cast<size_t>(n)).ok()) return Close(fd);
  if (auto payload = it->second.buffer.Payload()) Answer(it->second, *payload);
}

void LocalServer::Answer(Connection& conn, const std::string& payload) {
  int fd = conn.fd.get();
  asgard::v1::LocalRequest request;
  asgard::v1::LocalResponse response = request.ParseFromString(payload)
                                           ? handler_(request)
                                           : LocalFailure(3, "malformed request");
  // The reply is written blocking (bounded by a send timeout): replies are small except for
  // very large task lists, and the client reads at once.
  int flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  timeval timeout{kReplySendTimeoutSeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  [[maybe_unused]] absl::Status ignored = WriteFrame(fd, response);
  Close(fd);
  if (response.ByteSizeLong() > kTrimAfterBytes) malloc_trim(0);
}

asgard::v1::LocalResponse HandleStandalone(runtime::TaskRole& role,
                                           const asgard::v1::LocalRequest& request) {
  asgard::v1::LocalResponse response;
  if (request.has_list()) {
    const auto& page = request.list();
    const int limit = page.limit() <= 0 ? kLocalPageTasks : std::min(page.limit(), kLocalPageTasks);
    const size_t first = static_cast<size_t>(std::max(page.offset(), 0));
    std::vector<runtime::TaskView> views = role.List();
    auto* list = response.mutable_list();
    for (size_t i = first; i < views.size() && list->tasks_size() < limit; ++i) {
      ToProto(views[i], list->add_tasks());
    }
    list->set_more(first + static_cast<size_t>(list->tasks_size()) < views.size());
    return response;
  }
  if (request.has_get()) {
    auto detail = role.Get(request.get().name());
    if (!detail) return LocalFailure(5, "no task named '" + request.get().name() + "'");
    ToProto(*detail, response.mutable_detail());
    return response;
  }
  return LocalFailure(3, "empty request");
}

void LocalServer::Close(int fd) {
  auto it = connections_.find(fd);
  if (it == connections_.end()) return;
  if (it->second.deadline) loop_.Cancel(it->second.deadline);
  loop_.Unwatch(fd);
  connections_.erase(it);
}

}  // namespace asgard::standalone
