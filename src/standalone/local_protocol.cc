#include "standalone/local_protocol.h"

#include <unistd.h>

#include <cerrno>

#include "common/errno_status.h"

namespace asgard::standalone {
namespace {

std::string EncodeLength(uint32_t n) {
  std::string out(4, '\0');
  for (int i = 3; i >= 0; --i, n >>= 8) out[i] = static_cast<char>(n & 0xff);
  return out;
}

uint32_t DecodeLength(const std::string& bytes) {
  uint32_t n = 0;
  for (int i = 0; i < 4; ++i) n = (n << 8) | static_cast<unsigned char>(bytes[i]);
  return n;
}

absl::Status WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return ErrnoStatus("write to the status socket");
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status ReadExactly(int fd, size_t size, std::string* out) {
  out->resize(size);
  size_t done = 0;
  while (done < size) {
    ssize_t n = read(fd, out->data() + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("read from the status socket");
    if (n == 0) return absl::UnavailableError("the daemon closed the connection");
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteFrame(int fd, const google::protobuf::Message& message) {
  std::string payload = message.SerializeAsString();
  return WriteAll(fd, EncodeLength(static_cast<uint32_t>(payload.size())) + payload);
}

absl::Status ReadFrame(int fd, size_t max_bytes, google::protobuf::Message* message) {
  std::string header, payload;
  if (auto s = ReadExactly(fd, 4, &header); !s.ok()) return s;
  uint32_t size = DecodeLength(header);
  if (size > max_bytes) return absl::ResourceExhaustedError("status reply too large");
  if (auto s = ReadExactly(fd, size, &payload); !s.ok()) return s;
  if (!message->ParseFromString(payload)) {
    return absl::DataLossError("malformed message on the status socket");
  }
  return absl::OkStatus();
}

absl::Status FrameBuffer::Append(const char* data, size_t size) {
  bytes_.append(data, size);
  if (bytes_.size() >= 4 && DecodeLength(bytes_) > max_bytes_) {
    return absl::InvalidArgumentError("request frame too large");
  }
  return absl::OkStatus();
}

std::optional<std::string> FrameBuffer::Payload() const {
  if (bytes_.size() < 4) return std::nullopt;
  size_t size = DecodeLength(bytes_);
  if (bytes_.size() < 4 + size) return std::nullopt;
  return bytes_.substr(4, size);
}

}  // namespace asgard::standalone
