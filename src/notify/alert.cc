#include "notify/alert.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace asgard::notify {
namespace {

constexpr int kStatusSignalled = -1;
constexpr int kStatusStoppedByUser = -2;
constexpr int kStatusUnknown = -3;

std::string TimeText(absl::Time t, absl::TimeZone zone) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S %z", t, zone);
}

std::string EscapeHtml(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace

std::string Alert::Key() const { return absl::StrCat(kind, "#", id); }

std::optional<std::string> ArchiveFailure(int status, const std::string& signal) {
  switch (status) {
    case 0:
    case kStatusStoppedByUser:
      return std::nullopt;
    case kStatusSignalled:
      return absl::StrCat("killed by signal", signal.empty() ? "" : ": ", signal);
    case kStatusUnknown:
      return std::string("ended, status unknown (the agent lost track of the process)");
    default:
      return absl::StrCat("exited with status ", status);
  }
}

std::optional<std::string> ExceptionFailure(const std::string& desc) {
  // The original's wording of a failed run (sic): the archive of the same run alerts already.
  if (absl::StartsWith(desc, "finished unseccessed")) return std::nullopt;
  if (absl::StartsWith(desc, "skipped:")) return std::nullopt;
  return desc;
}

std::string Title(const Outgoing& out) {
  const Alert& a = out.alert;
  std::string who = a.name.empty() ? absl::StrCat("#", a.id) : a.name;
  if (out.repeats > 0) {
    return absl::StrCat("[Asgard] ", a.kind, " ", who, ": ", out.repeats,
                        out.repeats == 1 ? " more failure" : " more failures", ", last: ",
                        a.reason);
  }
  if (a.kind == "agent") return absl::StrCat("[Asgard] agent ", who, ": ", a.reason);
  return absl::StrCat("[Asgard] ", a.kind, " ", who, " failed: ", a.reason);
}

std::string Text(const Outgoing& out, absl::TimeZone zone) {
  const Alert& a = out.alert;
  std::vector<std::string> lines = {Title(out)};
  if (!a.agent.empty()) lines.push_back("agent: " + a.agent);
  if (!a.command.empty()) lines.push_back("command: " + a.command);
  if (!a.dir.empty()) lines.push_back("dir: " + a.dir);
  if (!a.run_uuid.empty()) lines.push_back("run: " + a.run_uuid);
  lines.push_back("time: " + TimeText(a.time, zone));
  if (out.repeats > 0) {
    lines.push_back(absl::StrCat("held back: ", out.repeats, " since ", TimeText(out.since, zone),
                                 " (one alert per task per throttle window)"));
  }
  return absl::StrJoin(lines, "\n");
}

std::string Html(const Outgoing& out, absl::TimeZone zone) {
  std::string html;
  for (absl::string_view line : absl::StrSplit(Text(out, zone), '\n')) {
    absl::StrAppend(&html, "<p>", EscapeHtml(line), "</p>\n");
  }
  return html;
}

}  // namespace asgard::notify
