#include "common/ip_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace asgard {
namespace {

constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

}  // namespace

std::optional<IpAddress> ParseIpAddress(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  const std::string z(text);  // inet_pton wants a terminated string
  IpAddress out;
  if (inet_pton(AF_INET, z.c_str(), out.bytes.data()) == 1) return out;
  if (inet_pton(AF_INET6, z.c_str(), out.bytes.data()) != 1) return std::nullopt;
  if (std::memcmp(out.bytes.data(), kV4MappedPrefix.data(), kV4MappedPrefix.size()) == 0) {
    IpAddress v4;
    std::memcpy(v4.bytes.data(), out.bytes.data() + 12, 4);
    return v4;
  }
  out.v6 = true;
  return out;
}

std::string FormatIpAddress(const IpAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(address.v6 ? AF_INET6 : AF_INET, address.bytes.data(), text, sizeof(text));
  return text;
}

IpAddress MaskIpAddress(IpAddress address, int bits) {
  for (size_t i = 0; i < address.size(); ++i) {
    const int keep = std::clamp(bits - static_cast<int>(i) * 8, 0, 8);
    address.bytes[i] &= static_cast<uint8_t>(0xff00 >> keep);
  }
  return address;
}

bool IpNetwork::Contains(const IpAddress& address) const {
  return address.v6 == base.v6 && MaskIpAddress(address, prefix) == base;
}

absl::StatusOr<IpNetwork> ParseIpNetwork(std::string_view text) {
  const size_t slash = text.find('/');
  const std::optional<IpAddress> address = ParseIpAddress(text.substr(0, slash));
  const auto invalid = [&](const std::string& why) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", std::string(text.substr(0, 64)), "' ", why));
  };
  if (!address) {
    return invalid("is not an IP address or network (expected e.g. 10.0.0.1, 10.0.0.0/8, ::1)");
  }
  const int width = address->v6 ? 128 : 32;
  IpNetwork network{*address, width};
  if (slash != std::string_view::npos) {
    int prefix = -1;
    const std::string_view digits = text.substr(slash + 1);
    if (!absl::SimpleAtoi(absl::string_view(digits.data(), digits.size()), &prefix) ||
        prefix < 0 || prefix > width || digits.empty() || digits[0] == '+') {
      return invalid(absl::StrCat("has no prefix length 0-", width, " after '/'"));
    }
    network.prefix = prefix;
  }
  if (MaskIpAddress(network.base, network.prefix) != network.base) {
    return invalid(absl::StrCat("has bits set past its /", network.prefix, " (did you mean ",
                                FormatIpAddress(MaskIpAddress(network.base, network.prefix)), "/",
                                network.prefix, "?)"));
  }
  return network;
}

}  // namespace asgard
