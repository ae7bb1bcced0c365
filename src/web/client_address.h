// File: client_address.h
// The address of the client a request comes from, as the login throttle counts it. It is the
// peer's address, unless the peer is one of `web.trusted_proxies`: then it is the address such
// a proxy appended to X-Forwarded-For, read from the right past every trusted proxy. A header
// from anyone else is ignored, since a client can write any address into it.
//
//   ClientAddresses clients(config.web.trusted_proxies);
//   std::string who = clients.Of(req.peer, req.Header("X-Forwarded-For"));
//
// Thread-safety: immutable after construction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "common/ip_address.h"

namespace asgard::web {

class ClientAddresses {
 public:
  // `trusted_proxies`: addresses or networks ("10.0.0.5", "10.0.0.0/8", "::1"), as checked by
  // the config loader; InvalidArgument naming a malformed one.
  static absl::StatusOr<ClientAddresses> Create(const std::vector<std::string>& trusted_proxies);

  // The client's address: `peer` (the socket's), or the rightmost address of `forwarded_for`
  // that is not a trusted proxy when `peer` is one. Addresses come back in canonical form; an
  // entry that is not an address stops the walk at the last trusted hop before it.
  std::string Of(const std::string& peer, std::string_view forwarded_for) const;
  // Whether `peer` is one of the trusted proxies (their connections count for many clients).
  bool IsTrustedProxy(const std::string& peer) const;

 private:
  bool Trusted(const IpAddress& address) const;
  std::vector<IpNetwork> trusted_;
};

}  // namespace asgard::web
