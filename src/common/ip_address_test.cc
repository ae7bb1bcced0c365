#include "common/ip_address.h"

#include "gtest/gtest.h"

namespace asgard {
namespace {

TEST(IpAddress, ParsesAndFormatsBothFamilies) {
  ASSERT_TRUE(ParseIpAddress("10.1.2.3"));
  EXPECT_EQ(FormatIpAddress(*ParseIpAddress("10.1.2.3")), "10.1.2.3");
  EXPECT_EQ(FormatIpAddress(*ParseIpAddress("2001:DB8:0:0::1")), "2001:db8::1");
  EXPECT_EQ(FormatIpAddress(*ParseIpAddress("::ffff:10.1.2.3")), "10.1.2.3");  // mapped: IPv4
  for (const char* bad : {"", "10.1.2", "10.1.2.3:80", "[::1]", "fe80::1%eth0", "example.com",
                          " 10.1.2.3"}) {
    EXPECT_FALSE(ParseIpAddress(bad)) << bad;
  }
}

TEST(IpNetwork, ContainsItsAddressesOnly) {
  absl::StatusOr<IpNetwork> lan = ParseIpNetwork("10.0.0.0/8");
  ASSERT_TRUE(lan.ok()) << lan.status();
  EXPECT_TRUE(lan->Contains(*ParseIpAddress("10.255.1.2")));
  EXPECT_FALSE(lan->Contains(*ParseIpAddress("11.0.0.1")));
  EXPECT_FALSE(lan->Contains(*ParseIpAddress("::a00:1")));  // other family
  absl::StatusOr<IpNetwork> one = ParseIpNetwork("192.168.1.7");
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->Contains(*ParseIpAddress("192.168.1.7")));
  EXPECT_FALSE(one->Contains(*ParseIpAddress("192.168.1.8")));
  absl::StatusOr<IpNetwork> v6 = ParseIpNetwork("fd00::/8");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->Contains(*ParseIpAddress("fd12:3456::1")));
  EXPECT_TRUE(ParseIpNetwork("0.0.0.0/0")->Contains(*ParseIpAddress("8.8.8.8")));
}

TEST(IpNetwork, RefusesMalformedNetworks) {
  for (const char* bad : {"10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8", "::/129",
                          "host/8", "10.0.0.0/8x"}) {
    EXPECT_FALSE(ParseIpNetwork(bad).ok()) << bad;
  }
  absl::StatusOr<IpNetwork> typo = ParseIpNetwork("10.0.0.1/8");
  ASSERT_FALSE(typo.ok());
  EXPECT_NE(typo.status().message().find("did you mean 10.0.0.0/8?"), std::string::npos);
}

}  // namespace
}  // namespace asgard
