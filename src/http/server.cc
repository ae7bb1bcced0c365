#include "http/server.h"

#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "boost/asio.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "http/gzip.h"
#include "http/worker_pool.h"
#include "spdlog/spdlog.h"

namespace asgard::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// Smaller bodies go out as they are (nginx's gzip_min_length default).
constexpr size_t kMinGzipBytes = 20;

// The whole answer the server gives by itself (limits, malformed requests): the API's envelope.
std::string ErrorText(int status, const std::string& message, bool keep_alive) {
  std::string body = ErrorJson(status, message);
  return absl::StrCat("HTTP/1.1 ", status, " ", StatusText(status),
                      "\r\nContent-Type: application/json\r\nContent-Length: ", body.size(),
                      keep_alive ? "\r\n" : "\r\nConnection: close\r\n", "\r\n", body);
}

std::string PeerOf(const tcp::socket& socket) {
  boost::system::error_code ec;
  tcp::endpoint endpoint = socket.remote_endpoint(ec);
  if (ec) return "";
  asio::ip::address address = endpoint.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

void SplitTarget(Request& req) {
  size_t question = req.target.find('?');
  req.path = PercentDecode(std::string_view(req.target).substr(0, question), false);
  if (question != std::string::npos) {
    req.params = ParseQuery(std::string_view(req.target).substr(question + 1));
  }
}

}  // namespace

class Connection;

std::vector<std::unique_ptr<asio::io_context>> MakeContexts(int count) {
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (int i = 0; i < std::max(1, count); ++i) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
  }
  return contexts;
}

struct Server::Impl {
  Impl(const Router& r, Limits l) : router(r), limits(std::move(l)) {}

  bool Admit(const std::string& peer, int* refusal, std::string* why);
  void Forget(const std::string& peer);
  void Accept();

  const Router& router;
  const Limits limits;
  // Declared before the I/O objects: connections unregister here as they are destroyed.
  std::mutex mu;
  std::map<std::string, size_t> per_peer;
  size_t open = 0;
  std::map<Connection*, std::weak_ptr<Connection>> live;
  std::atomic<bool> stopping{false};
  std::atomic<int64_t> streams{0}, refused_connections{0}, refused_busy{0}, timed_out{0};

  // One I/O context per I/O thread, each run by that thread alone (concurrency hint 1: no
  // locking inside asio, no strands): a connection lives on one of them for its whole life.
  std::vector<std::unique_ptr<asio::io_context>> contexts = MakeContexts(limits.io_threads);
  size_t next_context = 0;  // accept handler only
  tcp::acceptor acceptor{*contexts[0]};
  // Keep each context running while it has no connection.
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  std::vector<std::thread> threads;
  // Destroyed first: its jobs post back to connections that the I/O context owns.
  std::optional<WorkerPool> pool;
};

// One stream's writer, handed to the route's StreamStart; posts to its connection's strand.
class StreamWriter final : public StreamSink {
 public:
  StreamWriter(std::weak_ptr<Connection> connection, asio::any_io_executor executor,
               size_t max_backlog)
      : connection_(std::move(connection)), executor_(std::move(executor)),
        max_backlog_(max_backlog) {}
  ~StreamWriter() override { MarkClosed(); }

  bool Write(std::string bytes) override;
  void End() override;
  bool closed() const override { return closed_ || cut_off_; }
  void OnClose(std::function<void()> callback) override {
    std::unique_lock<std::mutex> lock(mu_);
    if (!closed_) {
      callbacks_.push_back(std::move(callback));
      return;
    }
    lock.unlock();
    callback();
  }

  // Sends raw bytes (the headers) ahead of any chunk.
  void Post(std::string bytes);
  void Sent(size_t chunk_bytes) { backlog_ -= chunk_bytes; }
  void MarkClosed() {
    std::vector<std::function<void()>> callbacks;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_.exchange(true)) return;
      callbacks.swap(callbacks_);
    }
    for (auto& callback : callbacks) callback();
  }

 private:
  std::weak_ptr<Connection> connection_;
  asio::any_io_executor executor_;
  const size_t max_backlog_;
  std::atomic<bool> closed_{false};
  // Too far behind: writes fail at once; the callbacks run when the connection has closed.
  std::atomic<bool> cut_off_{false};
  std::atomic<size_t> backlog_{0};
  std::mutex mu_;
  std::vector<std::function<void()>> callbacks_;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server::Impl& server, tcp::socket socket, std::string peer)
      : server_(server), stream_(std::move(socket)), peer_(std::move(peer)) {}
  ~Connection() {
    if (writer_) {
      writer_->MarkClosed();
      --server_.streams;
    }
    server_.Forget(peer_);
    std::lock_guard<std::mutex> lock(server_.mu);
    server_.live.erase(this);
  }

  void Start() { WaitForRequest(); }
  // On the strand: ends the connection now.
  void Close() {
    boost::system::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }
  asio::any_io_executor executor() { return stream_.get_executor(); }

  // On the strand: queues stream bytes (headers or a chunk) and writes them out.
  void SendStreamBytes(std::string bytes, size_t chunk_bytes, bool last) {
    if (closing_) return;
    stream_out_.push_back({std::move(bytes), chunk_bytes});
    end_after_flush_ = end_after_flush_ || last;
    if (!writing_) WriteStream();
  }

 private:
  struct Pending {
    std::string bytes;
    size_t chunk_bytes;
  };

  void WaitForRequest() {
    if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is already here
    // A new connection must send its request as promptly as its headers; a kept-alive one may
    // wait for the user's next click.
    stream_.expires_after(answered_ == 0 ? server_.limits.header_timeout
                                         : server_.limits.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](
                                                       beast::error_code ec, size_t n) {
      if (ec) return self->Failed(ec);
      self->buffer_.commit(n);
      self->ReadHeader();
    });
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_.limits.max_header_bytes));
    parser_->body_limit(server_.limits.max_body_bytes);
    stream_.expires_after(server_.limits.header_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                               if (ec) return self->Failed(ec);
                               self->ReadBody();
                             });
  }

  void ReadBody() {
    auto& message = parser_->get();
    if (parser_->is_done()) return Dispatch();
    if (beast::iequals(message[bhttp::field::expect], "100-continue")) {
      auto text = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
      asio::async_write(stream_, asio::buffer(*text),
                        [self = shared_from_this(), text](beast::error_code ec, size_t) {
                          if (ec) return self->Failed(ec);
                          self->ReadRestOfBody();
                        });
      return;
    }
    ReadRestOfBody();
  }

  void ReadRestOfBody() {
    stream_.expires_after(server_.limits.body_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->Failed(ec);
                        self->Dispatch();
                      });
  }

  void Failed(beast::error_code ec) {
    if (ec == beast::error::timeout) {
      ++server_.timed_out;
      return Close();
    }
    if (ec == bhttp::error::body_limit) {
      return SendAndClose(ErrorText(413, absl::StrCat("body too large (at most ",
                                                      server_.limits.max_body_bytes, " bytes)"),
                                    false));
    }
    if (ec == bhttp::error::header_limit) {
      return SendAndClose(ErrorText(431, "request headers too large", false));
    }
    if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
        ec == asio::error::bad_descriptor) {
      return Close();
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category()) {
      return SendAndClose(ErrorText(400, "the request could not be read: " + ec.message(), false));
    }
    Close();
  }

  void SendAndClose(std::string text) {
    auto owned = std::make_shared<std::string>(std::move(text));
    stream_.expires_after(server_.limits.write_timeout);
    asio::async_write(stream_, asio::buffer(*owned),
                      [self = shared_from_this(), owned](beast::error_code, size_t) {
                        self->Close();
                      });
  }

  std::shared_ptr<Request> TakeRequest() {
    auto message = parser_->release();
    auto req = std::make_shared<Request>();
    req->method = std::string(message.method_string());
    req->target = std::string(message.target());
    SplitTarget(*req);
    req->headers.reserve(8);
    for (const auto& field : message) {
      req->headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    req->body = std::move(message.body());
    req->peer = peer_;
    keep_alive_ = message.keep_alive();
    parser_.reset();
    return req;
  }

  void Dispatch() {
    if (server_.stopping) return Close();
    ++answered_;
    std::shared_ptr<Request> req = TakeRequest();
    stream_.expires_never();
    const Router::Route* route = server_.router.Find(*req);
    if (route && route->run_on == RunOn::kIoThread) {
      Response res;
      req->on_io_thread = true;
      server_.router.Handle(route, *req, res);
      if (!res.needs_worker) return Answer(*req, std::move(res));
    }
    bool queued = server_.pool->Submit([self = shared_from_this(), req, route] {
      if (self->server_.stopping) return;
      req->on_io_thread = false;
      auto res = std::make_shared<Response>();
      self->server_.router.Handle(route, *req, *res);
      if (res->stream) return self->StartStream(*req, *res);
      asio::post(self->stream_.get_executor(),
                 [self, req, res] { self->Answer(*req, std::move(*res)); });
    });
    if (!queued) {
      ++server_.refused_busy;
      SendAndClose(ErrorText(503, "the web node is busy; try again in a moment", false));
    }
  }

  // The head of an answer: status line and headers, with `length` unless streamed.
  std::string Head(const Response& res, std::optional<size_t> length) const {
    std::string text = absl::StrCat("HTTP/1.1 ", res.status, " ", StatusText(res.status), "\r\n");
    for (const auto& [name, value] : res.headers) absl::StrAppend(&text, name, ": ", value, "\r\n");
    if (length) {
      absl::StrAppend(&text, "Content-Length: ", *length, "\r\n");
    } else {
      text += "Transfer-Encoding: chunked\r\n";
    }
    if (!keep_alive_ || !length) text += "Connection: close\r\n";
    text += "\r\n";
    return text;
  }

  void Answer(const Request& req, Response res) {
    if (res.stream) return StartStream(req, res);  // a memory-only route that streams
    if (res.body.size() >= kMinGzipBytes && res.Header("Content-Encoding").empty() &&
        Compressible(res.Header("Content-Type")) && AcceptsGzip(req.Header("Accept-Encoding"))) {
      if (auto gzipped = Gzip(res.body)) {
        res.body = std::move(*gzipped);
        res.SetHeader("Content-Encoding", "gzip");
        res.SetHeader("Vary", "Accept-Encoding");
      }
    }
    if (server_.stopping) keep_alive_ = false;
    auto text = std::make_shared<std::string>(Head(res, res.body.size()));
    if (req.method != "HEAD") text->append(res.body);
    stream_.expires_after(server_.limits.write_timeout);
    asio::async_write(stream_, asio::buffer(*text),
                      [self = shared_from_this(), text](beast::error_code ec, size_t) {
                        if (ec) return self->Failed(ec);
                        if (!self->keep_alive_) return self->Close();
                        self->WaitForRequest();
                      });
  }

  // Any thread: the headers go out first, then what the route's StreamStart writes.
  void StartStream(const Request&, Response& res) {
    writer_ = std::make_shared<StreamWriter>(weak_from_this(), stream_.get_executor(),
                                             server_.limits.max_stream_backlog);
    ++server_.streams;
    writer_->Post(Head(res, std::nullopt));
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->WatchForHangUp(); });
    res.stream(writer_);
  }

  // A streaming client sends nothing more: any read completing means it hung up.
  // On the socket itself, not through tcp_stream: a tcp_stream read keeps the timeout it
  // started with, and this one must last as long as the stream.
  void WatchForHangUp() {
    stream_.socket().async_read_some(asio::buffer(hang_up_byte_),
                            [self = shared_from_this()](beast::error_code, size_t) {
                              self->closing_ = true;
                              self->writer_->MarkClosed();
                              self->Close();
                            });
  }

  void WriteStream() {
    if (stream_out_.empty()) {
      writing_ = false;
      stream_.expires_never();
      if (end_after_flush_) {
        closing_ = true;
        writer_->MarkClosed();
        Close();
      }
      return;
    }
    writing_ = true;
    auto batch = std::make_shared<std::string>();
    size_t chunk_bytes = 0;
    for (Pending& pending : stream_out_) {
      batch->append(pending.bytes);
      chunk_bytes += pending.chunk_bytes;
    }
    stream_out_.clear();
    stream_.expires_after(server_.limits.write_timeout);
    asio::async_write(stream_, asio::buffer(*batch),
                      [self = shared_from_this(), batch, chunk_bytes](beast::error_code ec,
                                                                       size_t) {
                        self->writer_->Sent(chunk_bytes);
                        if (ec) {
                          if (ec == beast::error::timeout) ++self->server_.timed_out;
                          self->closing_ = true;
                          self->writer_->MarkClosed();
                          return self->Close();
                        }
                        self->WriteStream();
                      });
  }

  Server::Impl& server_;
  beast::tcp_stream stream_;
  const std::string peer_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bool keep_alive_ = true;
  int64_t answered_ = 0;
  // Streaming.
  std::shared_ptr<StreamWriter> writer_;
  std::vector<Pending> stream_out_;
  bool writing_ = false;
  bool end_after_flush_ = false;
  bool closing_ = false;
  char hang_up_byte_[1];
};

bool StreamWriter::Write(std::string bytes) {
  if (closed_ || cut_off_) return false;
  if (bytes.empty()) return true;
  size_t size = bytes.size();
  if (backlog_ + size > max_backlog_) {
    // The client reads slower than the stream produces: cut it off rather than buffer forever.
    spdlog::debug("a stream's client fell {} bytes behind: closing it", backlog_.load());
    cut_off_ = true;
    asio::post(executor_, [weak = connection_] {
      if (auto connection = weak.lock()) connection->Close();
    });
    return false;
  }
  backlog_ += size;
  std::string frame = absl::StrCat(absl::Hex(size), "\r\n");
  frame.append(bytes);
  frame.append("\r\n");
  asio::post(executor_, [weak = connection_, frame = std::move(frame), size]() mutable {
    if (auto connection = weak.lock()) connection->SendStreamBytes(std::move(frame), size, false);
  });
  return true;
}

void StreamWriter::End() {
  if (closed_ || cut_off_) return;
  asio::post(executor_, [weak = connection_] {
    if (auto connection = weak.lock()) connection->SendStreamBytes("0\r\n\r\n", 0, true);
  });
}

void StreamWriter::Post(std::string bytes) {
  asio::post(executor_, [weak = connection_, bytes = std::move(bytes)]() mutable {
    if (auto connection = weak.lock()) connection->SendStreamBytes(std::move(bytes), 0, false);
  });
}

bool Server::Impl::Admit(const std::string& peer, int* refusal, std::string* why) {
  std::lock_guard<std::mutex> lock(mu);
  if (open >= limits.max_connections) {
    *refusal = 503;
    *why = absl::StrCat("the web node has its maximum of ", limits.max_connections,
                        " connections open (web.max_connections); try again later");
    return false;
  }
  size_t& mine = per_peer[peer];
  if (mine >= limits.max_connections_per_client &&
      !(limits.unlimited_peer && limits.unlimited_peer(peer))) {
    *refusal = 429;
    *why = absl::StrCat(peer, " has ", mine, " connections open, the most one address may have ",
                        "(web.max_connections_per_client)");
    return false;
  }
  ++mine;
  ++open;
  return true;
}

void Server::Impl::Forget(const std::string& peer) {
  std::lock_guard<std::mutex> lock(mu);
  --open;
  auto it = per_peer.find(peer);
  if (it != per_peer.end() && --it->second == 0) per_peer.erase(it);
}

void Server::Impl::Accept() {
  asio::io_context& home = *contexts[next_context++ % contexts.size()];
  acceptor.async_accept(home, [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || stopping) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::string peer = PeerOf(socket);
      int refusal = 0;
      std::string why;
      if (!Admit(peer, &refusal, &why)) {
        ++refused_connections;
        // Told once, on a connection of its own that the I/O threads close after the write.
        auto owned = std::make_shared<tcp::socket>(std::move(socket));
        auto text = std::make_shared<std::string>(ErrorText(refusal, why, false));
        asio::async_write(*owned, asio::buffer(*text),
                          [owned, text](beast::error_code, size_t) {
                            beast::error_code ignored;
                            owned->shutdown(tcp::socket::shutdown_both, ignored);
                            owned->close(ignored);
                          });
      } else {
        auto connection = std::make_shared<Connection>(*this, std::move(socket), peer);
        {
          std::lock_guard<std::mutex> lock(mu);
          live[connection.get()] = connection;
        }
        connection->Start();
      }
    } else if (ec == asio::error::no_descriptors) {
      // Out of file descriptors: wait a moment rather than spin on the same error.
      spdlog::warn("web: cannot accept a connection: {}", ec.message());
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    Accept();
  });
}

Server::Server(const Router& router, Limits limits)
    : impl_(std::make_unique<Impl>(router, std::move(limits))) {}

Server::~Server() { Stop(); }

absl::StatusOr<int> Server::Listen(const std::string& ip, int port) {
  boost::system::error_code ec;
  asio::ip::address address = asio::ip::make_address(ip, ec);
  if (ec) return absl::InvalidArgumentError(absl::StrCat("'", ip, "' is not an IP address"));
  tcp::endpoint endpoint(address, static_cast<uint16_t>(port));
  tcp::acceptor& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", ip, ":", port, ": ",
                                               ec.message()));
  }
  return acceptor.local_endpoint().port();
}

void Server::Start() {
  Impl& impl = *impl_;
  impl.pool.emplace(impl.limits.workers, impl.limits.max_queued_requests);
  impl.Accept();
  for (auto& context : impl.contexts) {
    impl.keep_running.push_back(asio::make_work_guard(*context));
    impl.threads.emplace_back([&context] { context->run(); });
  }
}

void Server::Stop() {
  Impl& impl = *impl_;
  if (impl.threads.empty() || impl.stopping.exchange(true)) return;
  asio::post(impl.acceptor.get_executor(), [&impl] {
    beast::error_code ignored;
    impl.acceptor.close(ignored);
  });
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard<std::mutex> lock(impl.mu);
    for (auto& [raw, weak] : impl.live) {
      if (auto connection = weak.lock()) open.push_back(std::move(connection));
    }
  }
  for (auto& connection : open) {
    asio::post(connection->executor(), [connection] { connection->Close(); });
  }
  open.clear();
  // Let the closes run, then stop what is left; handlers still running finish on the pool,
  // whose destruction waits for them (queued ones see `stopping` and do nothing).
  for (int i = 0; i < 100; ++i) {
    {
      std::lock_guard<std::mutex> lock(impl.mu);
      if (impl.open == 0) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl.keep_running.clear();
  for (auto& context : impl.contexts) context->stop();
  for (std::thread& thread : impl.threads) thread.join();
  impl.threads.clear();
  impl.pool.reset();
}

ServerStats Server::stats() const {
  ServerStats stats;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    stats.connections = static_cast<int64_t>(impl_->open);
  }
  stats.streams = impl_->streams;
  stats.refused_connections = impl_->refused_connections;
  stats.refused_busy = impl_->refused_busy;
  stats.timed_out = impl_->timed_out;
  return stats;
}

}  // namespace asgard::http
