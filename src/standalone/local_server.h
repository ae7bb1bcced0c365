// File: local_server.h
// The daemons' status socket, served from their own event loop (no extra thread): accepts a
// connection, collects one LocalRequest frame (at most 64 KiB, within 5 s), answers with the
// handler's reply (for guard and cron: the role's List, a page at a time, or Get), and closes.
// The socket file is created 0600.
//
// Thread-safety: loop thread only.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "asgard/v1/local.pb.h"
#include "common/event_loop.h"
#include "common/unique_fd.h"
#include "standalone/local_protocol.h"
#include "runtime/task_role.h"

namespace asgard::standalone {

// Tasks in one page of a list reply.
inline constexpr int kLocalPageTasks = 1000;

using LocalHandler = std::function<asgard::v1::LocalResponse(const asgard::v1::LocalRequest&)>;

// What guard and cron answer: a page of List, or Get.
asgard::v1::LocalResponse HandleStandalone(runtime::TaskRole& role,
                                           const asgard::v1::LocalRequest& request);
asgard::v1::LocalResponse LocalFailure(int code, const std::string& message);

class LocalServer {
 public:
  // Binds and listens on `path` (which must not exist: see ClaimSocketPath).
  static absl::StatusOr<std::unique_ptr<LocalServer>> Listen(EventLoop& loop,
                                                             LocalHandler handler,
                                                             const std::string& path);
  ~LocalServer();

 private:
  struct Connection {
    UniqueFd fd;
    FrameBuffer buffer{kMaxRequestBytes};
    TimerService::TimerId deadline = 0;
  };

  LocalServer(EventLoop& loop, LocalHandler handler, UniqueFd listener);
  void OnAccept();
  void OnReadable(int fd);
  void Answer(Connection& conn, const std::string& payload);
  void Close(int fd);

  EventLoop& loop_;
  LocalHandler handler_;
  UniqueFd listener_;
  std::map<int, Connection> connections_;
};

}  // namespace asgard::standalone
