#include "rpc/endpoint.h"

#include <unistd.h>

#include <fstream>

#include "asgard/v1/agent.grpc.pb.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace asgard::rpc {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(BindAddressTest, WithoutTokenOnlyLoopbackAndSaysSo) {
  std::string warning;
  EXPECT_EQ(BindAddress("0.0.0.0", false, "rpc.token", &warning), "127.0.0.1");
  EXPECT_THAT(warning, HasSubstr("no rpc.token"));
  EXPECT_THAT(warning, HasSubstr("0.0.0.0"));
  warning.clear();
  EXPECT_EQ(BindAddress("", false, "rpc.token", &warning), "127.0.0.1");
  EXPECT_FALSE(warning.empty());
}

TEST(BindAddressTest, LoopbackWithoutTokenIsKeptSilently) {
  std::string warning;
  EXPECT_EQ(BindAddress("127.0.0.1", false, "rpc.token", &warning), "127.0.0.1");
  EXPECT_TRUE(warning.empty());
}

TEST(BindAddressTest, WithTokenAnyAddress) {
  std::string warning;
  EXPECT_EQ(BindAddress("10.1.2.3", true, "rpc.token", &warning), "10.1.2.3");
  EXPECT_EQ(BindAddress("", true, "rpc.token", &warning), "0.0.0.0");
  EXPECT_TRUE(warning.empty());
}

TEST(StartServerTest, PortZeroPicksAFreePort) {
  config::Config cfg;
  v1::Agent::Service unimplemented;  // gRPC refuses to start a server without services
  auto s = StartServer({.ip = "127.0.0.1", .port = 0, .role = "test"}, cfg, {&unimplemented});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_THAT(s->address, StartsWith("127.0.0.1:"));
  EXPECT_NE(s->address, "127.0.0.1:0");
  s->server->Shutdown();
}

TEST(StartServerTest, MissingTlsFileIsNamed) {
  config::Config cfg;
  cfg.rpc_tls.cert = "/nonexistent/server.pem";
  cfg.rpc_tls.key = "/nonexistent/server.key";
  auto s = StartServer({.ip = "127.0.0.1", .port = 0, .role = "test"}, cfg, {});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("/nonexistent/server"));
}

TEST(StartServerTest, CertWithoutKeyIsRefused) {
  config::Config cfg;
  cfg.rpc_tls.cert = "/etc/hostname";
  auto s = StartServer({.ip = "127.0.0.1", .port = 0, .role = "test"}, cfg, {});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("cert and key"));
}

TEST(StartServerTest, NonPemFileIsRefused) {
  config::Config cfg;
  cfg.rpc_tls.cert = "/etc/hostname";
  cfg.rpc_tls.key = "/etc/hostname";
  auto s = StartServer({.ip = "127.0.0.1", .port = 0, .role = "test"}, cfg, {});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("not a PEM file"));
}

TEST(WriteAddrFileTest, WritesAddressLine) {
  char dir[] = "/tmp/asgard-addr-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  ASSERT_TRUE(WriteAddrFile(dir, "master", "127.0.0.1:1234").ok());
  std::ifstream in(std::string(dir) + "/master.addr");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "127.0.0.1:1234");
  unlink((std::string(dir) + "/master.addr").c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace asgard::rpc
