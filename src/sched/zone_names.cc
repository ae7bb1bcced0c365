#include "sched/zone_names.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"

namespace asgard::sched {

ZoneNames ZoneNames::Parse(std::string_view tzdata_zi) {
  ZoneNames out;
  const absl::string_view text(tzdata_zi.data(), tzdata_zi.size());
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<absl::string_view> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (words.size() >= 2 && words[0] == "Z") {
      out.names_.emplace(words[1]);
    } else if (words.size() >= 3 && words[0] == "L") {
      out.names_.emplace(words[2]);
    }
  }
  return out;
}

std::string HostZoneListPath() {
  const char* dir = std::getenv("TZDIR");
  return std::string(dir != nullptr && dir[0] != '\0' ? dir : "/usr/share/zoneinfo") +
         "/tzdata.zi";
}

const ZoneNames& HostZoneNames() {
  // Process-wide on purpose: every zone lookup of every thread needs it, it never changes while
  // the process runs, and its size is fixed by the host's tz database. A function-local static
  // is initialised once, thread-safely.
  static const ZoneNames names = [] {
    std::ifstream in(HostZoneListPath());
    std::ostringstream text;
    text << in.rdbuf();
    return ZoneNames::Parse(text.str());
  }();
  return names;
}

}  // namespace asgard::sched
