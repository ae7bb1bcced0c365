#include "process/argv.h"

#include <unistd.h>

#include "absl/strings/str_split.h"

namespace asgard::process {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Inside double quotes a backslash only escapes these (as POSIX sh does).
bool EscapableInDoubleQuotes(char c) { return c == '"' || c == '\\' || c == '$' || c == '`'; }

absl::Status Unterminated(char quote, size_t column) {
  return absl::InvalidArgumentError("args: unterminated " + std::string(1, quote) +
                                    " quote starting at column " + std::to_string(column + 1));
}

}  // namespace

absl::StatusOr<std::vector<std::string>> SplitArgs(std::string_view args) {
  std::vector<std::string> out;
  std::string current;
  bool in_word = false;
  for (size_t i = 0; i < args.size(); ++i) {
    char c = args[i];
    if (IsBlank(c)) {
      if (in_word) out.push_back(std::move(current));
      current.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (i + 1 == args.size()) {
        return absl::InvalidArgumentError("args: trailing backslash at column " +
                                          std::to_string(i + 1));
      }
      current += args[++i];
    } else if (c == '\'') {
      size_t close = args.find('\'', i + 1);
      if (close == std::string_view::npos) return Unterminated('\'', i);
      current.append(args.substr(i + 1, close - i - 1));
      i = close;
    } else if (c == '"') {
      size_t start = i++;
      for (; i < args.size() && args[i] != '"'; ++i) {
        if (args[i] == '\\' && i + 1 < args.size() && EscapableInDoubleQuotes(args[i + 1])) ++i;
        current += args[i];
      }
      if (i == args.size()) return Unterminated('"', start);
    } else {
      current += c;
    }
  }
  if (in_word) out.push_back(std::move(current));
  return out;
}

absl::StatusOr<std::string> ResolveProgram(const std::string& program, const std::string& dir,
                                           const std::string& path_env) {
  if (program.empty()) return absl::InvalidArgumentError("program is empty");
  if (program.find('/') != std::string::npos) {
    std::string full = (program[0] == '/' || dir.empty()) ? program : dir + "/" + program;
    if (access(full.c_str(), X_OK) == 0) return full;
    return absl::NotFoundError("program '" + full + "' does not exist or is not executable");
  }
  for (absl::string_view entry : absl::StrSplit(path_env, ':')) {
    std::string candidate = (entry.empty() ? std::string(".") : std::string(entry)) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return absl::NotFoundError("program '" + program + "' not found on PATH");
}

}  // namespace asgard::process
