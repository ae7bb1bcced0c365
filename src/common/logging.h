// File: logging.h
// The daemons' own log: spdlog to `<dir>/<role>.log` with size rotation, and to the console
// only when asked (the original's `component.log.console` is off unless explicitly true).
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "spdlog/formatter.h"

namespace asgard {

struct LogOptions {
  std::string level = "info";  // debug, info, warn, error
  std::string dir;             // created 0700 with missing parents
  bool console = false;
  size_t max_bytes = 50 * 1024 * 1024;
  size_t backups = 5;
};

// Installs the default spdlog logger for `role`. Call once, before any thread starts.
absl::Status SetupLogging(const LogOptions& options, const std::string& role);

// Logging for client commands (status, show, next): warnings and errors on stderr only.
void SetupClientLogging();

// A spdlog formatter for `pattern`, in which `%*` is the message with control characters
// escaped (common/printable.h); every logger of the roles and clients uses `%*`, never `%v`.
std::unique_ptr<spdlog::formatter> MakeLogFormatter(const std::string& pattern);

// mkdir -p with `mode` for every created component.
absl::Status MakeDirs(const std::string& path, unsigned mode);

}  // namespace asgard
