// File: zone_names.h
// The names of the tz database (zones and links), against which every zone name a user gives
// (`tz` of /cron/next, `CRON_TZ=` in a spec, `asgard cron next --tz`) is checked before a zone
// is loaded. absl::LoadTimeZone takes any string as a file path under the zoneinfo directory,
// or as an absolute path: a FIFO there hangs the loading thread for good, and every distinct
// name, found or not, stays in its cache for the life of the process. Names from the list reach
// it only, so neither can happen (see LoadZone in time_format.h).
//
//   ZoneNames names = ZoneNames::Parse(text_of_tzdata_zi);
//   names.Contains("Asia/Shanghai");        // true
//   names.Contains("/tmp/fifo");            // false
//   HostZoneNames().Contains("Asia/Shanghai")  // this host's list, read once
//
// Thread-safety: a ZoneNames is immutable; HostZoneNames() may be called from any thread.
#pragma once

#include <cstddef>
#include <functional>
#include <set>
#include <string>
#include <string_view>

namespace asgard::sched {

class ZoneNames {
 public:
  // The zones (`Z NAME ...` lines) and links (`L TARGET NAME` lines) of a tzdata.zi text, the
  // compact form of the tz database that zic reads and Debian's tzdata installs.
  static ZoneNames Parse(std::string_view tzdata_zi);

  bool Contains(std::string_view name) const { return names_.find(name) != names_.end(); }
  size_t size() const { return names_.size(); }

 private:
  std::set<std::string, std::less<>> names_;
};

// The tz database list of this host, read on first use from $TZDIR/tzdata.zi (TZDIR as absl's
// loader honours it), else /usr/share/zoneinfo/tzdata.zi; empty when there is none (then only
// "UTC" and "Local" load). Read once: the list is bounded (about 600 names, 20 kB) and changes
// only when tzdata is upgraded, which a restart picks up.
const ZoneNames& HostZoneNames();

// Where HostZoneNames() reads its list (for messages).
std::string HostZoneListPath();

}  // namespace asgard::sched
