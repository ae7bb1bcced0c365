// File: server_test.cc
// The HTTP front over real loopback sockets: keep-alive, the limits a user meets (connections
// per address, header timeout, body size, a full worker queue), gzip, and streams that hold no
// thread and report their end.
#include "http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "gtest/gtest.h"

namespace asgard::http {
namespace {

using namespace std::chrono_literals;

// A client socket, closed when it goes.
class Client {
 public:
  explicit Client(int port, const char* from = "127.0.0.1") {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    inet_pton(AF_INET, from, &local.sin_addr);
    bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~Client() { close(fd_); }
  Client(const Client&) = delete;

  bool connected() const { return connected_; }
  void Send(const std::string& text) { ASSERT_EQ(write(fd_, text.data(), text.size()), static_cast<ssize_t>(text.size())); }
  // What arrives within `wait` (until `until` is in it, or the peer closes).
  std::string Read(std::chrono::milliseconds wait, const std::string& until = "") {
    auto deadline = std::chrono::steady_clock::now() + wait;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!until.empty() && received_.find(until) != std::string::npos) break;
      pollfd p{fd_, POLLIN, 0};
      int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      deadline - std::chrono::steady_clock::now()).count());
      if (poll(&p, 1, std::max(left, 1)) <= 0) continue;
      char buf[65536];
      ssize_t n = read(fd_, buf, sizeof(buf));
      if (n <= 0) {
        closed_ = true;
        break;
      }
      received_.append(buf, static_cast<size_t>(n));
    }
    return received_;
  }
  bool closed_by_peer() const { return closed_; }
  void Clear() { received_.clear(); }

 private:
  int fd_ = -1;
  bool connected_ = false;
  bool closed_ = false;
  std::string received_;
};

std::string Get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: t\r\n" + extra + "\r\n";
}

class ServerTest : public ::testing::Test {
 protected:
  void Serve(Limits limits = {}) {
    router_.Add("GET", "/hello", [](const Request& req, Response& res) {
      res.SetContent("hello " + req.Param("name"), "text/plain");
    });
    router_.Add("POST", "/echo", [](const Request& req, Response& res) {
      res.SetContent(req.body, "application/octet-stream");
    });
    router_.Add("GET", "/big", [](const Request&, Response& res) {
      res.SetContent(std::string(5000, 'a'), "application/json");
    });
    router_.Add("GET", "/wait", [this](const Request&, Response& res) {
      std::unique_lock<std::mutex> lock(mu_);
      ++waiting_;
      wake_.notify_all();
      wake_.wait(lock, [this] { return released_; });
      res.SetContent("done", "text/plain");
    });
    router_.Add("GET", "/stream", [this](const Request&, Response& res) {
      res.SetHeader("Content-Type", "text/event-stream");
      res.stream = [this](std::shared_ptr<StreamSink> sink) {
        sink->Write("first\n");
        sink->OnClose([this] { ++streams_closed_; });
        std::lock_guard<std::mutex> lock(mu_);
        sinks_.push_back(std::move(sink));
      };
    });
    server_.emplace(router_, std::move(limits));
    auto port = server_->Listen("127.0.0.1", 0);
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
    server_->Start();
  }
  void Release() {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
    wake_.notify_all();
  }
  void TearDown() override {
    Release();
    if (server_) server_->Stop();
  }

  Router router_;
  std::optional<Server> server_;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable wake_;
  int waiting_ = 0;
  bool released_ = false;
  std::vector<std::shared_ptr<StreamSink>> sinks_;
  std::atomic<int> streams_closed_{0};
};

TEST_F(ServerTest, AnswersRequestsOnOneKeptAliveConnection) {
  Serve();
  Client c(port_);
  c.Send(Get("/hello?name=a%20b"));
  EXPECT_NE(c.Read(2s, "hello a b").find("HTTP/1.1 200 OK"), std::string::npos);
  c.Clear();
  c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nabcde");
  std::string answer = c.Read(2s, "abcde");
  EXPECT_NE(answer.find("Content-Length: 5\r\n"), std::string::npos) << answer;
  EXPECT_FALSE(c.closed_by_peer());
  c.Clear();
  c.Send(Get("/nowhere"));
  EXPECT_NE(c.Read(2s, "no route").find("HTTP/1.1 404"), std::string::npos);
}

TEST_F(ServerTest, RefusesConnectionsOverThePerAddressLimitWith429) {
  Limits limits;
  limits.max_connections_per_client = 2;
  limits.unlimited_peer = [](const std::string& peer) { return peer == "127.0.0.3"; };
  Serve(limits);
  std::optional<Client> a(std::in_place, port_);
  Client b(port_);
  a->Send(Get("/hello"));
  b.Send(Get("/hello"));
  ASSERT_NE(a->Read(2s, "hello").find("200 OK"), std::string::npos);
  ASSERT_NE(b.Read(2s, "hello").find("200 OK"), std::string::npos);
  Client third(port_);
  std::string refused = third.Read(2s);
  EXPECT_NE(refused.find("HTTP/1.1 429"), std::string::npos) << refused;
  EXPECT_NE(refused.find("web.max_connections_per_client"), std::string::npos) << refused;
  EXPECT_TRUE(third.closed_by_peer());
  // Another address, and an exempt one (a trusted proxy), are served meanwhile.
  Client other(port_, "127.0.0.2");
  other.Send(Get("/hello"));
  EXPECT_NE(other.Read(2s, "hello").find("200 OK"), std::string::npos);
  Client p1(port_, "127.0.0.3"), p2(port_, "127.0.0.3"), p3(port_, "127.0.0.3");
  p3.Send(Get("/hello"));
  EXPECT_NE(p3.Read(2s, "hello").find("200 OK"), std::string::npos);
  // A freed slot is given again (once the server has seen the close).
  a.reset();
  std::optional<Client> again;
  for (int i = 0; i < 100; ++i) {
    again.emplace(port_);
    again->Send(Get("/hello"));
    if (again->Read(1s, "hello").find("200 OK") != std::string::npos) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_NE(again->Read(10ms).find("200 OK"), std::string::npos);
}

TEST_F(ServerTest, ClosesAConnectionWhoseHeadersDoNotArriveInTimeAndServesOthersMeanwhile) {
  Limits limits;
  limits.header_timeout = 1s;
  Serve(limits);
  Client slow(port_);
  slow.Send("GET /hello HTTP/1.1\r\nHost: t\r\n");  // and never the blank line
  auto start = std::chrono::steady_clock::now();
  Client quick(port_);
  quick.Send(Get("/hello"));
  EXPECT_NE(quick.Read(2s, "hello").find("200 OK"), std::string::npos);
  slow.Send("X-A: 1\r\n");  // a byte now and then does not buy more time
  slow.Read(3s);
  EXPECT_TRUE(slow.closed_by_peer());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2500ms);
  // Counted by the read's handler, which runs just after the timer closed the socket.
  for (int i = 0; i < 100 && server_->stats().timed_out == 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(server_->stats().timed_out, 1);
}

TEST_F(ServerTest, AnswersTooLargeBodiesAndHeadersAndMalformedRequests) {
  Limits limits;
  limits.max_body_bytes = 100;
  limits.max_header_bytes = 1024;
  Serve(limits);
  Client big(port_);
  big.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n" + std::string(1000, 'x'));
  std::string answer = big.Read(2s);
  EXPECT_NE(answer.find("HTTP/1.1 413"), std::string::npos) << answer;
  EXPECT_NE(answer.find("at most 100 bytes"), std::string::npos) << answer;
  Client header(port_);
  header.Send("GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(2000, 'h') + "\r\n\r\n");
  EXPECT_NE(header.Read(2s).find("HTTP/1.1 431"), std::string::npos);
  Client garbage(port_);
  garbage.Send("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_NE(garbage.Read(2s).find("HTTP/1.1 400"), std::string::npos);
}

TEST_F(ServerTest, AFullWorkerQueueIsA503NotAStall) {
  Limits limits;
  limits.workers = 1;
  limits.max_queued_requests = 1;
  Serve(limits);
  Client running(port_), queued(port_), refused(port_);
  running.Send(Get("/wait"));
  {
    std::unique_lock<std::mutex> lock(mu_);
    ASSERT_TRUE(wake_.wait_for(lock, 2s, [this] { return waiting_ == 1; }));
  }
  queued.Send(Get("/wait"));
  std::this_thread::sleep_for(100ms);
  refused.Send(Get("/wait"));
  std::string answer = refused.Read(2s);
  EXPECT_NE(answer.find("HTTP/1.1 503"), std::string::npos) << answer;
  EXPECT_NE(answer.find("busy"), std::string::npos) << answer;
  Release();
  EXPECT_NE(running.Read(2s, "done").find("200 OK"), std::string::npos);
  EXPECT_NE(queued.Read(2s, "done").find("200 OK"), std::string::npos);
  EXPECT_EQ(server_->stats().refused_busy, 1);
}

TEST_F(ServerTest, GzipsTextForClientsThatAcceptIt) {
  Serve();
  Client plain(port_);
  plain.Send(Get("/big"));
  std::string answer = plain.Read(2s, std::string(5000, 'a'));
  EXPECT_EQ(answer.find("Content-Encoding"), std::string::npos);
  Client zipped(port_);
  zipped.Send(Get("/big", "Accept-Encoding: gzip, br\r\n"));
  answer = zipped.Read(1s);
  ASSERT_NE(answer.find("Content-Encoding: gzip\r\n"), std::string::npos) << answer;
  std::string body = answer.substr(answer.find("\r\n\r\n") + 4);
  std::string out(6000, '\0');
  z_stream z{};
  inflateInit2(&z, 15 + 16);
  z.next_in = reinterpret_cast<Bytef*>(body.data());
  z.avail_in = static_cast<uInt>(body.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(inflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  inflateEnd(&z);
  EXPECT_EQ(out, std::string(5000, 'a'));
}

TEST_F(ServerTest, StreamsHoldNoThreadAndReportTheirEnd) {
  Limits limits;
  limits.workers = 2;
  limits.io_threads = 1;
  Serve(limits);
  std::vector<std::unique_ptr<Client>> viewers;
  for (int i = 0; i < 200; ++i) {
    viewers.push_back(std::make_unique<Client>(port_));
    viewers.back()->Send(Get("/stream"));
  }
  for (auto& viewer : viewers) {
    std::string head = viewer->Read(5s, "first\n");
    ASSERT_NE(head.find("Transfer-Encoding: chunked"), std::string::npos) << head;
  }
  Client other(port_);  // two workers, 200 streams: still answered
  other.Send(Get("/hello"));
  EXPECT_NE(other.Read(2s, "hello").find("200 OK"), std::string::npos);
  EXPECT_EQ(server_->stats().streams, 200);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& sink : sinks_) EXPECT_TRUE(sink->Write("more\n"));
  }
  EXPECT_NE(viewers[7]->Read(2s, "more\n").find("5\r\nmore\n\r\n"), std::string::npos);
  viewers.resize(100);  // half the viewers hang up
  for (int i = 0; i < 200 && streams_closed_ < 100; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(streams_closed_, 100);
  int writable = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& sink : sinks_) writable += sink->Write("x") ? 1 : 0;
  }
  EXPECT_EQ(writable, 100);
  server_->Stop();  // ends the rest
  EXPECT_EQ(streams_closed_, 200);
}

TEST_F(ServerTest, AStreamOutlivesTheReadAndWriteTimeouts) {
  Limits limits;
  limits.header_timeout = 1s;
  limits.idle_timeout = 1s;
  limits.write_timeout = 1s;
  Serve(limits);
  Client viewer(port_);
  viewer.Send(Get("/stream"));
  viewer.Read(2s, "first\n");
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(1200ms);
    {
      std::lock_guard<std::mutex> lock(mu_);
      ASSERT_TRUE(sinks_[0]->Write("tick\n")) << i;
    }
    viewer.Clear();
    EXPECT_NE(viewer.Read(2s, "tick\n").find("tick\n"), std::string::npos) << i;
    EXPECT_FALSE(viewer.closed_by_peer()) << i;
  }
  EXPECT_EQ(streams_closed_, 0);
}

TEST_F(ServerTest, EndFinishesTheChunkedBody) {
  Serve();
  Client viewer(port_);
  viewer.Send(Get("/stream"));
  viewer.Read(2s, "first\n");
  {
    std::lock_guard<std::mutex> lock(mu_);
    ASSERT_EQ(sinks_.size(), 1u);
    sinks_[0]->End();
  }
  std::string all = viewer.Read(2s);
  EXPECT_NE(all.find("0\r\n\r\n"), std::string::npos);
  EXPECT_TRUE(viewer.closed_by_peer());
}

}  // namespace
}  // namespace asgard::http
