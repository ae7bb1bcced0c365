#include "standalone/local_protocol.h"

#include <sys/socket.h>
#include <unistd.h>

#include "asgard/v1/local.pb.h"
#include "common/unique_fd.h"
#include "gtest/gtest.h"

namespace asgard::standalone {
namespace {

TEST(LocalProtocol, FrameRoundTripsOverASocket) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  UniqueFd a(fds[0]), b(fds[1]);
  asgard::v1::LocalRequest sent;
  sent.mutable_get()->set_name("备份 job");
  ASSERT_TRUE(WriteFrame(a.get(), sent).ok());
  asgard::v1::LocalRequest got;
  ASSERT_TRUE(ReadFrame(b.get(), kMaxRequestBytes, &got).ok());
  EXPECT_EQ(got.get().name(), "备份 job");
}

TEST(LocalProtocol, OversizedReplyIsRefused) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  UniqueFd a(fds[0]), b(fds[1]);
  asgard::v1::LocalRequest big;
  big.mutable_get()->set_name(std::string(1000, 'x'));
  ASSERT_TRUE(WriteFrame(a.get(), big).ok());
  asgard::v1::LocalRequest got;
  EXPECT_EQ(ReadFrame(b.get(), 100, &got).code(), absl::StatusCode::kResourceExhausted);
}

TEST(LocalProtocol, ClosedConnectionIsUnavailable) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  UniqueFd a(fds[0]), b(fds[1]);
  a.reset();
  asgard::v1::LocalRequest got;
  EXPECT_EQ(ReadFrame(b.get(), kMaxRequestBytes, &got).code(), absl::StatusCode::kUnavailable);
}

TEST(FrameBuffer, CompletesOnlyWithTheWholeFrame) {
  FrameBuffer buffer(100);
  const char frame[] = {0, 0, 0, 3, 'a', 'b', 'c'};
  ASSERT_TRUE(buffer.Append(frame, 2).ok());
  EXPECT_FALSE(buffer.Payload().has_value());
  ASSERT_TRUE(buffer.Append(frame + 2, 4).ok());
  EXPECT_FALSE(buffer.Payload().has_value());
  ASSERT_TRUE(buffer.Append(frame + 6, 1).ok());
  ASSERT_TRUE(buffer.Payload().has_value());
  EXPECT_EQ(*buffer.Payload(), "abc");
}

TEST(FrameBuffer, AnnouncedLengthOverTheLimitIsRejected) {
  FrameBuffer buffer(100);
  const char header[] = {0, 1, 0, 0};  // 65,536 bytes announced
  EXPECT_FALSE(buffer.Append(header, 4).ok());
}

}  // namespace
}  // namespace asgard::standalone
