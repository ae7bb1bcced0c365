#include "process/records.h"

#include <cctype>
#include <cstring>

namespace asgard::process {

const char* TaskKindName(TaskKind kind) {
  switch (kind) {
    case TaskKind::kApp:
      return "app";
    case TaskKind::kJob:
      return "job";
    case TaskKind::kTiming:
      return "timing";
  }
  return "app";
}

std::string SignalDescription(int sig) {
  const char* text = strsignal(sig);
  std::string out = text ? text : "signal " + std::to_string(sig);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

ArchiveRecord MakeArchive(TaskKind kind, const std::string& name, const std::string& uuid,
                          WallClock::time_point begin, const ExitInfo& exit, bool stopped_by_us) {
  ArchiveRecord r;
  r.kind = kind;
  r.name = name;
  r.uuid = uuid;
  r.pid = exit.pid;
  r.begin = begin;
  r.end = exit.end;
  if (stopped_by_us) {
    r.status = kStatusStopped;
    r.signal = "kill";
  } else if (exit.signalled) {
    r.status = kStatusSignalled;
    r.signal = SignalDescription(exit.signal);
  } else {
    r.status = exit.code;
  }
  return r;
}

}  // namespace asgard::process
