// File: static_files.h
// The console's built files from one directory, kept in memory with their gzip form (a reload
// of the console costs no disk read and no compression). A file changed on disk (a new build)
// is read again: each request compares its size and modification time.
//
//   StaticFiles files(static_dir);
//   if (files.Serve(req, res)) return;   // a file: its body, type and Cache-Control
//
// Thread-safety: Serve may run on many threads at once.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "http/message.h"

namespace asgard::http {

class StaticFiles {
 public:
  explicit StaticFiles(std::string root) : root_(std::move(root)) {}

  // Answers a GET or HEAD of a regular file under the root (no "..", no hidden segment): true;
  // false (and `res` untouched) when there is no such file.
  bool Serve(const Request& req, Response& res);
  // The file at `relative` (such as "index.html") as Serve would answer it.
  bool ServeFile(const std::string& relative, const Request& req, Response& res);

 private:
  struct File {
    int64_t size = 0;
    int64_t mtime_ns = 0;
    std::shared_ptr<const std::string> body;
    std::shared_ptr<const std::string> gzipped;  // null when not worth it
  };
  std::optional<File> Load(const std::string& relative);

  const std::string root_;
  std::mutex mu_;
  std::map<std::string, File> files_;
};

// The Content-Type of a file name's extension ("application/octet-stream" when unknown).
std::string ContentTypeOf(const std::string& name);

}  // namespace asgard::http
