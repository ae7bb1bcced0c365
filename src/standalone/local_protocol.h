// File: local_protocol.h
// Frames of the local status protocol (proto/asgard/v1/local.proto): a 4-byte big-endian
// length, then the serialized message. Blocking helpers for the client and for the server's
// reply; FrameBuffer collects a request that arrives in pieces on a non-blocking socket.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace asgard::standalone {

inline constexpr size_t kMaxRequestBytes = 64 * 1024;
// A page of 1000 tasks takes about 100 KB; a detail is smaller.
inline constexpr size_t kMaxResponseBytes = 16 * 1024 * 1024;

// Writes one frame; retries short writes. The fd's timeouts (SO_SNDTIMEO) bound the wait.
absl::Status WriteFrame(int fd, const google::protobuf::Message& message);

// Reads one frame of at most `max_bytes` into `message`.
absl::Status ReadFrame(int fd, size_t max_bytes, google::protobuf::Message* message);

// Accumulates bytes until one whole frame is there.
class FrameBuffer {
 public:
  explicit FrameBuffer(size_t max_bytes) : max_bytes_(max_bytes) {}
  // Appends data; InvalidArgument once the announced length exceeds the limit.
  absl::Status Append(const char* data, size_t size);
  // The frame's payload once complete.
  std::optional<std::string> Payload() const;

 private:
  size_t max_bytes_;
  std::string bytes_;
};

}  // namespace asgard::standalone
