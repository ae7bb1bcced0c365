// File: message.h
// What a handler of the HTTP front (server.h) sees and answers: a parsed request, a response
// that is either a whole body or a stream, and the sink a stream writes into. Nothing here
// knows about sockets, so handlers and their tests need no server.
//
//   void Health(const http::Request& req, http::Response& res) {
//     res.SetContent(R"({"status":"up"})", "application/json");
//   }
//   res.stream = [](std::shared_ptr<http::StreamSink> sink) { feeds.Subscribe(sink); };
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace asgard::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path and query
  std::string path;    // percent-decoded, without the query
  std::vector<std::pair<std::string, std::string>> params;  // query, decoded, in order
  HeaderList headers;
  std::string body;
  std::string peer;               // the connection's remote address (no port)
  std::vector<std::string> matches;  // captures of the route's pattern, [0] = the whole path
  // Whether the route runs on an I/O thread now (RunOn::kIoThread), where it must not wait.
  bool on_io_thread = false;

  // The first header named `name` (any case); "" when absent.
  std::string Header(std::string_view name) const;
  bool HasHeader(std::string_view name) const;
  // The first query parameter `name`; "" when absent.
  std::string Param(std::string_view name) const;
  bool HasParam(std::string_view name) const;
};

// Where a streamed response goes. Write and End may be called from any thread; the bytes go out
// in order, after the response's headers.
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  // Queues `bytes` for the client. False once the stream is over: the client went away, the
  // server stops, or the client fell so far behind that it was cut off.
  virtual bool Write(std::string bytes) = 0;
  // Ends the response and closes the connection.
  virtual void End() = 0;
  virtual bool closed() const = 0;
  // `callback` runs once when the stream is over, whatever ended it: on a server thread, or
  // at once in OnClose when it already is (so never call OnClose holding a lock the callback
  // takes). It must not block.
  virtual void OnClose(std::function<void()> callback) = 0;
};

// Called once the response's headers are on their way: keeps `sink` for as long as it feeds it.
using StreamStart = std::function<void(std::shared_ptr<StreamSink>)>;

struct Response {
  int status = 200;
  HeaderList headers;
  std::string body;
  // Set: the body is this stream (chunked), and `body` is ignored.
  StreamStart stream;
  // Set by a route on an I/O thread that cannot answer from memory (a cache miss): the server
  // runs it again on a worker, with a fresh Response.
  bool needs_worker = false;

  void SetHeader(std::string name, std::string value);
  // "" when absent.
  std::string Header(std::string_view name) const;
  void SetContent(std::string text, std::string content_type);
};

// The body of an error this layer answers by itself (no route, a limit, a handler that threw):
// the API's envelope, {"code": status, "data": null, "message": message}.
std::string ErrorJson(int status, const std::string& message);

// The reason phrase of `status` ("Not Found"); "Unknown" for codes this server never sends.
const char* StatusText(int status);

// Percent-decodes `text` (and '+' as a space when `plus_is_space`); malformed escapes are kept
// as written.
std::string PercentDecode(std::string_view text, bool plus_is_space);
// The decoded pairs of a query string or an application/x-www-form-urlencoded body.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query);

}  // namespace asgard::http
