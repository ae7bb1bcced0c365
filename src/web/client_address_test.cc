#include "web/client_address.h"

#include "gtest/gtest.h"

namespace asgard::web {
namespace {

TEST(ClientAddresses, WithoutTrustedProxiesTheHeaderIsIgnored) {
  ClientAddresses clients = *ClientAddresses::Create({});
  EXPECT_EQ(clients.Of("203.0.113.9", "10.9.9.9"), "203.0.113.9");
}

TEST(ClientAddresses, AnUntrustedPeerCannotChooseItsAddress) {
  ClientAddresses clients = *ClientAddresses::Create({"10.0.0.5"});
  EXPECT_EQ(clients.Of("203.0.113.9", "10.0.0.1"), "203.0.113.9");
}

TEST(ClientAddresses, ATrustedProxyNamesTheClient) {
  ClientAddresses clients = *ClientAddresses::Create({"10.0.0.0/24", "::1"});
  EXPECT_EQ(clients.Of("10.0.0.5", "198.51.100.7"), "198.51.100.7");
  EXPECT_EQ(clients.Of("::1", " 2001:DB8::7 "), "2001:db8::7");
  // A client's own X-Forwarded-For comes first; the proxy appends what it saw, read from the
  // right past every trusted hop.
  EXPECT_EQ(clients.Of("10.0.0.5", "1.2.3.4, 198.51.100.7, 10.0.0.9"), "198.51.100.7");
  // Garbage (or nothing) left of the proxies: the last trusted hop is the client.
  EXPECT_EQ(clients.Of("10.0.0.5", "not-an-address, 10.0.0.9"), "10.0.0.9");
  EXPECT_EQ(clients.Of("10.0.0.5", ""), "10.0.0.5");
  EXPECT_EQ(clients.Of("::ffff:10.0.0.5", "198.51.100.7"), "198.51.100.7");
}

TEST(ClientAddresses, RefusesAMalformedProxy) {
  EXPECT_FALSE(ClientAddresses::Create({"proxy.example.com"}).ok());
}

}  // namespace
}  // namespace asgard::web
