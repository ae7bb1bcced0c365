#include "web/sse_log.h"

#include <charconv>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "common/printable.h"

namespace asgard::web {
namespace {

// One event; `data` holds no '\r' or '\n'.
void AppendEvent(std::string* out, std::string_view name, const std::string* id,
                 std::string_view data) {
  out->append("event: ").append(name).append("\n");
  if (id) out->append("id: ").append(*id).append("\n");
  // The space after "data:" is the one the client strips: data starting with spaces stays.
  out->append("data: ").append(data).append("\n\n");
}

template <typename T>
bool ParseDecimal(std::string_view text, T* value) {
  if (text.empty() || text.front() == '-' || text.front() == '+') return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string LogEvent(std::string_view line, const v1::LogPosition* end) {
  std::string out;
  const std::string id = end ? LogEventId(*end) : "";
  for (;;) {
    size_t brk = line.find_first_of("\r\n");
    if (brk == std::string_view::npos) break;
    AppendEvent(&out, "log", nullptr, line.substr(0, brk));
    // "\r\n" is one break: no empty event for the '\n' of a Windows line end.
    size_t skip = line.compare(brk, 2, "\r\n") == 0 ? 2 : 1;
    line.remove_prefix(brk + skip);
  }
  AppendEvent(&out, "log", end ? &id : nullptr, line);
  return out;
}

std::string ErrorEvent(std::string_view message) {
  std::string one_line(message);
  for (char& c : one_line) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  std::string out;
  AppendEvent(&out, "error", nullptr, one_line);
  return out;
}

std::string LogEventId(const v1::LogPosition& position) {
  return absl::StrCat(position.inode(), ":", position.offset());
}

absl::StatusOr<v1::LogPosition> ParseLogEventId(std::string_view id) {
  uint64_t inode = 0;
  int64_t offset = 0;
  size_t colon = id.find(':');
  if (colon == std::string_view::npos || !ParseDecimal(id.substr(0, colon), &inode) ||
      !ParseDecimal(id.substr(colon + 1), &offset)) {
    return absl::InvalidArgumentError(
        absl::StrCat("Last-Event-ID: '", Printable(std::string(id.substr(0, 60))),
                     "' is not <inode>:<offset> (an id of this stream's events)"));
  }
  v1::LogPosition position;
  position.set_inode(inode);
  position.set_offset(offset);
  return position;
}

}  // namespace asgard::web
