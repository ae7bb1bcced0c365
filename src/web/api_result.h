// File: api_result.h
// The `{code, message, data}` envelope of every /api/v1 answer (API.md): `code` equals the HTTP
// status, `message` is a sentence a person can act on. Store and agent errors map to codes in
// one place (FromStatus), so a NotFound is a 404 and a bad field a 400 everywhere.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace asgard::web {

using Json = nlohmann::json;

// The code of NeedsWorker(): not an answer.
inline constexpr int kNeedsWorker = -1;

struct ApiResult {
  // A constructor rather than an aggregate, so that {code, message, data} needs no data_json.
  ApiResult(int code = 200, std::string message = "ok", Json data = nullptr,
            std::string data_json = "")
      : code(code), message(std::move(message)), data(std::move(data)),
        data_json(std::move(data_json)) {}

  int code;
  std::string message;
  Json data;
  // When not empty: the data as JSON text already (large lists, see JsonWriter), sent instead
  // of `data`.
  std::string data_json;
};

inline ApiResult Ok(Json data = nullptr) { return {200, "ok", std::move(data)}; }
inline ApiResult OkJsonText(std::string data_json) {
  return {200, "ok", nullptr, std::move(data_json)};
}
// From a route running on an I/O thread (http::RunOn::kIoThread) that cannot answer from
// memory: the server runs it again on a worker.
inline ApiResult NeedsWorker() { return {kNeedsWorker, "", nullptr}; }
inline ApiResult Fail(int code, std::string message) { return {code, std::move(message), nullptr}; }
inline ApiResult BadRequest(std::string message) { return Fail(400, std::move(message)); }
inline ApiResult NotFound(std::string message) { return Fail(404, std::move(message)); }
inline ApiResult Forbidden(std::string message) { return Fail(403, std::move(message)); }

// InvalidArgument 400, Unauthenticated 401, PermissionDenied 403, NotFound 404,
// AlreadyExists/FailedPrecondition/Aborted 409, ResourceExhausted 429, Unavailable and
// DeadlineExceeded 503 (an agent or the database is unreachable), anything else 500.
int HttpCodeOf(const absl::Status& status);
ApiResult FromStatus(const absl::Status& status);

}  // namespace asgard::web
