// File: server.h
// The web node's HTTP/1.1 front: event-driven (Boost.Beast on Boost.Asio), so an idle
// keep-alive connection, a slow client or an open stream costs a few kilobytes and no thread.
// Handlers that may wait (the store, an agent) run on a bounded worker pool off the I/O
// threads; memory-only routes (RunOn::kIoThread) answer at once. Every limit is answered, never
// a stall: too many connections (503) or too many from one address (429), a header that does
// not arrive in time (the connection is closed), a body too large (413), a header too large
// (431), a full worker queue (503, "busy"). Answers of text types go out gzipped to clients
// that accept it; streams go out chunked.
//
//   http::Server server(router, limits);
//   ASSIGN_OR_RETURN(int port, server.Listen("127.0.0.1", 0));
//   server.Start();
//   ...
//   server.Stop();   // closes every connection and stream; the destructor does it too
//
// Thread-safety: Listen, Start and Stop from one thread; stats() from any.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "http/router.h"

namespace asgard::http {

struct Limits {
  size_t max_connections = 10000;
  size_t max_connections_per_client = 256;
  // Peers the per-client limit does not apply to (reverse proxies: every client comes
  // through them).
  std::function<bool(const std::string& peer)> unlimited_peer;
  // From a request's first byte to the end of its headers (a slowloris client is cut here).
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds body_timeout{30};
  // A keep-alive connection waiting for its next request.
  std::chrono::seconds idle_timeout{60};
  // One write to a client that does not read (also a stream's).
  std::chrono::seconds write_timeout{30};
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 8 * 1024 * 1024;
  size_t workers = 16;
  size_t max_queued_requests = 1024;
  // Bytes waiting for one stream's client before it is cut off as too slow.
  size_t max_stream_backlog = 4 * 1024 * 1024;
  int io_threads = 2;
};

struct ServerStats {
  int64_t connections = 0;        // open now
  int64_t streams = 0;            // open now
  int64_t refused_connections = 0;  // over max_connections or max_connections_per_client
  int64_t refused_busy = 0;        // the worker queue was full
  int64_t timed_out = 0;           // header, body or idle timeouts, and stuck writes
};

class Server {
 public:
  Server(const Router& router, Limits limits);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds `ip`:`port` (0: any free port); the port bound.
  absl::StatusOr<int> Listen(const std::string& ip, int port);
  // Accepts and serves on the I/O threads until Stop.
  void Start();
  // Stops accepting, closes every connection (streams see OnClose) and joins the threads.
  void Stop();
  ServerStats stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace asgard::http
