#include <bit>
#include <cstdint>
#include <optional>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "sched/cron_fields.h"

namespace asgard::sched::cron_internal {
namespace {

constexpr absl::CivilSecond kUnixEpoch(1970, 1, 1, 0, 0, 0);

bool Has(uint64_t mask, int bit) { return (mask >> bit) & 1; }

// The smallest set bit of `mask` at or above `from`, or -1.
int NextBit(uint64_t mask, int from) {
  const uint64_t rest = mask & (~uint64_t{0} << from);
  return rest == 0 ? -1 : std::countr_zero(rest);
}

bool DayMatches(const CronFields& f, absl::CivilDay day) {
  const int weekday = (static_cast<int>(absl::GetWeekday(day)) + 1) % 7;  // absl: Monday is 0
  const bool dom = Has(f.days, day.day());
  const bool dow = Has(f.weekdays, weekday);
  if (f.days_star || f.weekdays_star) return dom && dow;
  return dom || dow;
}

// True if the date of `c` matches; otherwise moves `c` to the start of the next date that might.
bool MatchDate(const CronFields& f, absl::CivilSecond& c) {
  if (!Has(f.months, c.month())) {
    const int month = NextBit(f.months, c.month());
    c = month < 0 ? absl::CivilSecond(c.year() + 1, 1, 1) : absl::CivilSecond(c.year(), month, 1);
    return false;
  }
  if (!DayMatches(f, absl::CivilDay(c))) {
    c = absl::CivilDay(c) + 1;
    return false;
  }
  return true;
}

// True if the time of day of `c` matches; otherwise moves `c` forward to the next candidate,
// jumping straight to the next set bit of the first field that fails.
bool MatchTime(const CronFields& f, absl::CivilSecond& c) {
  const int hour = NextBit(f.hours, c.hour());
  if (hour != c.hour()) {
    c = hour < 0 ? absl::CivilSecond(absl::CivilDay(c) + 1)
                 : absl::CivilSecond(c.year(), c.month(), c.day(), hour, 0, 0);
    return false;
  }
  const int minute = NextBit(f.minutes, c.minute());
  if (minute != c.minute()) {
    c = minute < 0 ? absl::CivilSecond(absl::CivilHour(c) + 1)
                   : absl::CivilSecond(absl::CivilHour(c)) + minute * 60;
    return false;
  }
  const int second = NextBit(f.seconds, c.second());
  if (second != c.second()) {
    c = second < 0 ? absl::CivilSecond(absl::CivilMinute(c) + 1)
                   : absl::CivilSecond(absl::CivilMinute(c)) + second;
    return false;
  }
  return true;
}

absl::CivilSecond ToCivil(absl::Time t, int offset) {
  return kUnixEpoch + (absl::ToUnixSeconds(t) + offset);
}

absl::Time FromCivil(absl::CivilSecond c, int offset) {
  return absl::FromUnixSeconds((c - kUnixEpoch) - offset);
}

// A stretch [start, end) of constant UTC offset: local times in [lo, hi) map one to one onto
// it. If `end` is a forward jump, local times in [hi, gap_end) do not exist that day.
struct Segment {
  int offset = 0;
  absl::CivilSecond hi;
  absl::Time end;
  std::optional<absl::CivilSecond> gap_end;
};

Segment SegmentFrom(const absl::TimeZone& zone, absl::Time start, absl::Time limit) {
  Segment seg;
  seg.offset = zone.At(start).offset;
  seg.end = limit;
  absl::TimeZone::CivilTransition tr;
  if (zone.NextTransition(start, &tr)) {
    const absl::Time at = FromCivil(tr.from, seg.offset);
    if (at < limit) {
      seg.end = at;
      if (tr.to > tr.from) seg.gap_end = tr.to;
    }
  }
  seg.hi = ToCivil(seg.end, seg.offset);
  return seg;
}

// For fixed-hour jobs: if `lo` lies in the second pass through a repeated (fall-back) stretch,
// moves it past that stretch, since those local times already fired in the first pass.
absl::CivilSecond SkipSecondPass(const absl::TimeZone& zone, absl::CivilSecond lo, int offset) {
  const absl::TimeZone::TimeInfo info = zone.At(lo);
  if (info.kind != absl::TimeZone::TimeInfo::REPEATED) return lo;
  const int first_offset = zone.At(info.pre).offset;
  if (offset == first_offset) return lo;
  return ToCivil(info.trans, first_offset);
}

}  // namespace

std::optional<absl::CivilSecond> FirstMatch(const CronFields& f, absl::CivilSecond lo,
                                            absl::CivilSecond hi) {
  absl::CivilSecond c = lo;
  while (c < hi) {
    if (MatchDate(f, c) && MatchTime(f, c)) return c;
  }
  return std::nullopt;
}

// Walks the offset segments between `after` and `limit`: a match inside a segment is its local
// time at that offset; a fixed-hour match inside a spring-forward gap fires at the gap's end.
std::optional<absl::Time> NextCronTime(const CronFields& f, absl::TimeZone zone, absl::Time after,
                                       absl::Time limit) {
  if (after == absl::InfiniteFuture() || after == absl::InfinitePast()) return std::nullopt;
  absl::Time start = after;
  absl::CivilSecond lo = zone.At(after).cs + 1;  // strictly after, at whole seconds
  while (start < limit) {
    const Segment seg = SegmentFrom(zone, start, limit);
    if (seg.end <= start) return std::nullopt;  // malformed zone data; never loop forever
    if (f.hour_fixed) lo = SkipSecondPass(zone, lo, seg.offset);
    if (std::optional<absl::CivilSecond> c = FirstMatch(f, lo, seg.hi)) {
      return FromCivil(*c, seg.offset);
    }
    if (f.hour_fixed && seg.gap_end && FirstMatch(f, seg.hi, *seg.gap_end)) return seg.end;
    start = seg.end;
    lo = zone.At(start).cs;
  }
  return std::nullopt;
}

}  // namespace asgard::sched::cron_internal
