#include "web/client_address.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"

namespace asgard::web {

absl::StatusOr<ClientAddresses> ClientAddresses::Create(
    const std::vector<std::string>& trusted_proxies) {
  ClientAddresses out;
  for (const std::string& text : trusted_proxies) {
    absl::StatusOr<IpNetwork> network = ParseIpNetwork(text);
    if (!network.ok()) return network.status();
    out.trusted_.push_back(*network);
  }
  return out;
}

bool ClientAddresses::IsTrustedProxy(const std::string& peer) const {
  std::optional<IpAddress> address = ParseIpAddress(peer);
  return address && Trusted(*address);
}

bool ClientAddresses::Trusted(const IpAddress& address) const {
  for (const IpNetwork& network : trusted_) {
    if (network.Contains(address)) return true;
  }
  return false;
}

std::string ClientAddresses::Of(const std::string& peer, std::string_view forwarded_for) const {
  std::optional<IpAddress> hop = ParseIpAddress(peer);
  if (!hop) return peer;
  if (trusted_.empty() || !Trusted(*hop)) return FormatIpAddress(*hop);
  const std::vector<absl::string_view> entries =
      absl::StrSplit(absl::string_view(forwarded_for.data(), forwarded_for.size()), ',');
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    const absl::string_view text = absl::StripAsciiWhitespace(*it);
    std::optional<IpAddress> entry = ParseIpAddress(std::string_view(text.data(), text.size()));
    if (!entry) break;  // garbage (or nothing) left of the last proxy we trust
    hop = entry;
    if (!Trusted(*hop)) break;
  }
  return FormatIpAddress(*hop);
}

}  // namespace asgard::web
