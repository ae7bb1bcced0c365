// File: ip_address.h
// IPv4 and IPv6 addresses and networks (CIDR), as config lists them (web.trusted_proxies) and
// the web node compares its peers with them.
//
//   std::optional<IpAddress> peer = ParseIpAddress("10.1.2.3");
//   absl::StatusOr<IpNetwork> lan = ParseIpNetwork("10.0.0.0/8");
//   lan->Contains(*peer);  // true
//
// An IPv4-mapped IPv6 address (::ffff:10.1.2.3, as a dual-stack socket reports IPv4 peers) is
// the IPv4 address.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace asgard {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4: the first 4
  size_t size() const { return v6 ? 16 : 4; }
  bool operator==(const IpAddress&) const = default;
};

// A literal address ("10.1.2.3", "::1", "fe80::1"; no port, no brackets, no zone); nullopt for
// anything else.
std::optional<IpAddress> ParseIpAddress(std::string_view text);
// The canonical text of `address` (inet_ntop).
std::string FormatIpAddress(const IpAddress& address);

struct IpNetwork {
  IpAddress base;  // bits past `prefix` are zero
  int prefix = 0;  // 0-32 for IPv4, 0-128 for IPv6
  bool Contains(const IpAddress& address) const;
};

// "10.0.0.0/8", "fd00::/8", or a single address ("10.0.0.1" is 10.0.0.1/32). InvalidArgument
// naming the text otherwise; host bits set under the prefix (10.0.0.1/8) are an error too, since
// they usually mean a typo.
absl::StatusOr<IpNetwork> ParseIpNetwork(std::string_view text);

// `address` with every bit past the first `bits` cleared.
IpAddress MaskIpAddress(IpAddress address, int bits);

}  // namespace asgard
