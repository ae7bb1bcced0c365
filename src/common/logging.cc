#include "common/logging.h"

#include <sys/stat.h>

#include <cerrno>
#include <vector>

#include "common/errno_status.h"
#include "common/printable.h"
#include "spdlog/pattern_formatter.h"
#include "spdlog/sinks/rotating_file_sink.h"
#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/spdlog.h"

namespace asgard {
namespace {

// `%*`: the message with control characters escaped (common/printable.h). Messages carry task
// names, paths and peers' error texts; raw, an ESC in one would drive the terminal of whoever
// reads the log and a newline would forge a line.
class PrintableMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string_view text(msg.payload.data(), msg.payload.size());
    if (IsPrintable(text)) {
      dest.append(text.data(), text.data() + text.size());
      return;
    }
    const std::string escaped = Printable(text);
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<PrintableMessage>();
  }
};

}  // namespace

std::unique_ptr<spdlog::formatter> MakeLogFormatter(const std::string& pattern) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<PrintableMessage>('*').set_pattern(pattern);
  return formatter;
}

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
  logger->set_formatter(MakeLogFormatter("%Y-%m-%d %H:%M:%S.%f - [%l]:%*"));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return absl::OkStatus();
}

void SetupClientLogging() {
  auto logger = std::make_shared<spdlog::logger>(
      "client", std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  logger->set_level(spdlog::level::warn);
  logger->set_formatter(MakeLogFormatter("%*"));
  spdlog::set_default_logger(logger);
}

}  // namespace asgard
