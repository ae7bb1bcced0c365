// File: gzip.h
// gzip for answers a browser accepts compressed (zlib's default level 6; never brotli, whose
// top level cost seconds of CPU per script with the previous server).
//
//   if (AcceptsGzip(req.Header("Accept-Encoding")) && Compressible(type)) body = *Gzip(body);
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace asgard::http {

// Whether an Accept-Encoding value allows gzip (and does not refuse it with q=0).
bool AcceptsGzip(std::string_view accept_encoding);
// Text types worth compressing (text/*, JSON, JavaScript, SVG, XML).
bool Compressible(std::string_view content_type);
// The gzip member of `data`; none if zlib failed (out of memory).
std::optional<std::string> Gzip(std::string_view data);

}  // namespace asgard::http
