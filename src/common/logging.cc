#include "common/logging.h"

#include <sys/stat.h>

#include <cerrno>
#include <vector>

#include "common/errno_status.h"
#include "spdlog/sinks/rotating_file_sink.h"
#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/spdlog.h"

namespace asgard {

absl::Status MakeDirs(const std::string& path, unsigned mode) {
  if (path.empty()) return absl::OkStatus();
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    partial = path.substr(0, pos);
    if (partial.empty() || partial == "/") continue;
    if (mkdir(partial.c_str(), mode) != 0 && errno != EEXIST) {
      return ErrnoStatus("mkdir " + partial);
    }
  }
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return ErrnoStatus("stat " + path);
  if (!S_ISDIR(st.st_mode)) return absl::FailedPreconditionError(path + " is not a directory");
  return absl::OkStatus();
}

absl::Status SetupLogging(const LogOptions& options, const std::string& role) {
  std::vector<spdlog::sink_ptr> sinks;
  if (options.console) sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  if (!options.dir.empty()) {
    if (auto s = MakeDirs(options.dir, 0700); !s.ok()) return s;
    try {
      sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
          options.dir + "/" + role + ".log", options.max_bytes, options.backups));
    } catch (const spdlog::spdlog_ex& e) {
      return absl::UnavailableError(std::string("log file: ") + e.what());
    }
  }
  auto logger = std::make_shared<spdlog::logger>(role, sinks.begin(), sinks.end());
  logger->set_level(spdlog::level::from_str(options.level));
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%f - [%l]:%v");
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return absl::OkStatus();
}

void SetupClientLogging() {
  auto logger = std::make_shared<spdlog::logger>(
      "client", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  logger->set_level(spdlog::level::warn);
  logger->set_pattern("%v");
  spdlog::set_default_logger(logger);
}

}  // namespace asgard
