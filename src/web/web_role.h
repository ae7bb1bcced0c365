// File: web_role.h
// `asgard web`: the REST API and console over the store, pushing changes to agents. WebNode is
// also the web part of `asgard all` (cli/all_command.cc).
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "config/config.h"
#include "grpcpp/channel.h"
#include "store/store.h"

namespace asgard::web {

// The HTTP server while it runs (own threads). Stop() or the destructor ends it.
class WebNode {
 public:
  // Listens on web.ip (or `default_ip` when empty) and web.port (0 = any free port); writes
  // <runtime_dir>/web.addr.
  static absl::StatusOr<std::unique_ptr<WebNode>> Start(store::Store& store,
                                                        const config::Config& config,
                                                        const std::string& default_ip);
  virtual ~WebNode() = default;
  virtual const std::string& address() const = 0;
  // `asgard all`: calls to the agent at `address` go through `channel`, in process.
  virtual void UseLocalAgent(const std::string& address,
                             std::shared_ptr<grpc::Channel> channel) = 0;
  virtual void Stop() = 0;
};

// Where the console's built files are: web.static_dir, else the installed copy, else
// web-ui/dist of the source tree; "" when none exists.
std::string FindStaticDir(const config::Config& config);

// The web secret (session signing): web.cookie_salt, else <runtime_dir>/web.secret, made once.
absl::StatusOr<std::string> WebSecret(const config::Config& config);

// Writes <runtime_dir>/web.addr and says "listening on http://ADDR" (log and stdout).
void AnnounceWeb(const std::string& runtime_dir, const std::string& address);

int RunWeb(const std::string& conf_dir);

}  // namespace asgard::web
