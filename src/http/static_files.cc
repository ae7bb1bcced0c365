#include "http/static_files.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "http/gzip.h"

namespace asgard::http {
namespace {

// Smaller bodies go out as they are (nginx's gzip_min_length default).
constexpr size_t kMinGzipBytes = 20;

bool SafeRelative(const std::string& relative) {
  if (relative.empty()) return false;
  for (absl::string_view part : absl::StrSplit(relative, '/')) {
    if (part.empty() || part[0] == '.') return false;  // "..", ".env", "//"
  }
  return relative.find('\0') == std::string::npos && relative.find('\\') == std::string::npos;
}

}  // namespace

std::string ContentTypeOf(const std::string& name) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},  {".js", "application/javascript"},
      {".mjs", "application/javascript"},     {".css", "text/css"},
      {".json", "application/json"},          {".svg", "image/svg+xml"},
      {".png", "image/png"},                  {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},                {".gif", "image/gif"},
      {".ico", "image/x-icon"},               {".woff", "font/woff"},
      {".woff2", "font/woff2"},               {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},  {".map", "application/json"},
      {".webp", "image/webp"},                {".wasm", "application/wasm"},
  };
  for (const auto& [extension, type] : kTypes) {
    if (absl::EndsWith(name, extension)) return type;
  }
  return "application/octet-stream";
}

bool StaticFiles::Serve(const Request& req, Response& res) {
  if (req.method != "GET" && req.method != "HEAD") return false;
  std::string relative = req.path.size() > 1 ? req.path.substr(1) : "index.html";
  if (absl::EndsWith(relative, "/")) relative += "index.html";
  return ServeFile(relative, req, res);
}

bool StaticFiles::ServeFile(const std::string& relative, const Request& req, Response& res) {
  if (!SafeRelative(relative)) return false;
  std::optional<File> file = Load(relative);
  if (!file) return false;
  std::string type = ContentTypeOf(relative);
  if (file->gzipped && AcceptsGzip(req.Header("Accept-Encoding"))) {
    res.SetContent(*file->gzipped, type);
    res.SetHeader("Content-Encoding", "gzip");
  } else {
    res.SetContent(*file->body, type);
  }
  if (file->gzipped) res.SetHeader("Vary", "Accept-Encoding");
  return true;
}

std::optional<StaticFiles::File> StaticFiles::Load(const std::string& relative) {
  std::string path = root_ + "/" + relative;
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  int64_t mtime_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = files_.find(relative);
    if (it != files_.end() && it->second.size == st.st_size && it->second.mtime_ns == mtime_ns) {
      return it->second;
    }
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  File file;
  file.size = st.st_size;
  file.mtime_ns = mtime_ns;
  file.body = std::make_shared<const std::string>(text.str());
  if (file.body->size() >= kMinGzipBytes && Compressible(ContentTypeOf(relative))) {
    if (auto gzipped = Gzip(*file.body)) {
      file.gzipped = std::make_shared<const std::string>(std::move(*gzipped));
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  files_[relative] = file;
  return file;
}

}  // namespace asgard::http
