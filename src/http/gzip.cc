#include "http/gzip.h"

#include <zlib.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace asgard::http {

bool AcceptsGzip(std::string_view accept) {
  absl::string_view accept_encoding(accept.data(), accept.size());
  for (absl::string_view part : absl::StrSplit(accept_encoding, ',')) {
    std::vector<absl::string_view> fields = absl::StrSplit(part, ';');
    absl::string_view coding = absl::StripAsciiWhitespace(fields[0]);
    if (!absl::EqualsIgnoreCase(coding, "gzip") && coding != "*") continue;
    bool refused = false;
    for (size_t i = 1; i < fields.size(); ++i) {
      absl::string_view q = absl::StripAsciiWhitespace(fields[i]);
      if (absl::ConsumePrefix(&q, "q=") && (q == "0" || q == "0.0" || q == "0.00" || q == "0.000")) {
        refused = true;
      }
    }
    if (!refused) return true;
  }
  return false;
}

bool Compressible(std::string_view type) {
  absl::string_view content_type(type.data(), type.size());
  return (absl::StartsWith(content_type, "text/") &&
          !absl::StartsWith(content_type, "text/event-stream")) ||
         absl::StartsWith(content_type, "application/json") ||
         absl::StartsWith(content_type, "application/javascript") ||
         absl::StartsWith(content_type, "application/xml") ||
         absl::StartsWith(content_type, "image/svg+xml");
}

std::optional<std::string> Gzip(std::string_view data) {
  z_stream z{};
  // 15 + 16: a gzip header and trailer around the deflate stream.
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return std::nullopt;
  }
  std::string out(deflateBound(&z, data.size()) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int result = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (result != Z_STREAM_END) return std::nullopt;
  return out;
}

}  // namespace asgard::http
