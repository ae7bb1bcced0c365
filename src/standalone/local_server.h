// File: local_server.h
// The standalone daemons' status socket, served from their own event loop (no extra thread):
// accepts a connection, collects one LocalRequest frame (at most 64 KiB, within 5 s), answers
// with the role's List or Get, and closes. The socket file is created 0600.
//
// Thread-safety: loop thread only.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "asgard/v1/local.pb.h"
#include "common/event_loop.h"
#include "common/unique_fd.h"
#include "standalone/local_protocol.h"
#include "standalone/role.h"

namespace asgard::standalone {

class LocalServer {
 public:
  // Binds and listens on `path` (which must not exist: see ClaimSocketPath).
  static absl::StatusOr<std::unique_ptr<LocalServer>> Listen(EventLoop& loop,
                                                             StandaloneRole& role,
                                                             const std::string& path);
  ~LocalServer();

  // What a request gets, without any socket (also used by tests).
  asgard::v1::LocalResponse Handle(const asgard::v1::LocalRequest& request);

 private:
  struct Connection {
    UniqueFd fd;
    FrameBuffer buffer{kMaxRequestBytes};
    TimerService::TimerId deadline = 0;
  };

  LocalServer(EventLoop& loop, StandaloneRole& role, UniqueFd listener);
  void OnAccept();
  void OnReadable(int fd);
  void Answer(Connection& conn, const std::string& payload);
  void Close(int fd);

  EventLoop& loop_;
  StandaloneRole& role_;
  UniqueFd listener_;
  std::map<int, Connection> connections_;
};

}  // namespace asgard::standalone
