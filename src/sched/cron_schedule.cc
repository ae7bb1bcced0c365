#include "sched/cron_schedule.h"

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "sched/cron_fields.h"
#include "sched/time_format.h"

namespace asgard::sched {

namespace {

// What a spec says apart from its zone: either a constant delay or calendar fields.
struct Body {
  std::optional<absl::Duration> every;  // `@every`: whole seconds, at least 1s
  cron_internal::CronFields fields;     // used when `every` is unset
};

}  // namespace

struct CronSchedule::Impl {
  std::string spec;
  absl::TimeZone zone;
  Body body;
};

namespace {

// Far enough to reach the next Feb 29 from any date (2097 -> 2104 skips 2100), so every spec
// that Parse accepts has a next fire time.
constexpr absl::Duration kSearchHorizon = absl::Hours(24 * (366 * 8 + 1));

constexpr char kWhitespace[] = " \t\r\n\f\v";

struct Descriptor {
  absl::string_view name;
  absl::string_view fields;
};

constexpr std::array<Descriptor, 7> kDescriptors = {{
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
    {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
}};

std::vector<absl::string_view> SplitWords(absl::string_view text) {
  return absl::StrSplit(text, absl::ByAnyChar(kWhitespace), absl::SkipEmpty());
}

absl::StatusOr<absl::TimeZone> LoadNamedZone(absl::string_view name) {
  return LoadZone(std::string_view(name.data(), name.size()));
}

// Consumes a leading `CRON_TZ=Zone ` or `TZ=Zone ` from `rest`, if any.
absl::StatusOr<std::optional<absl::TimeZone>> ConsumeZonePrefix(absl::string_view& rest) {
  if (!absl::StartsWith(rest, "CRON_TZ=") && !absl::StartsWith(rest, "TZ=")) return std::nullopt;
  const size_t eq = rest.find('=');
  const size_t space = std::min(rest.find_first_of(kWhitespace), rest.size());
  const absl::string_view prefix = rest.substr(0, space);
  ASSIGN_OR_RETURN(absl::TimeZone zone, LoadNamedZone(prefix.substr(eq + 1)));
  rest = absl::StripLeadingAsciiWhitespace(rest.substr(space));
  if (rest.empty()) {
    return absl::InvalidArgumentError(absl::StrFormat("missing schedule after '%s'", prefix));
  }
  return zone;
}

// robfig's ConstantDelaySchedule: whole seconds, at least one.
absl::StatusOr<absl::Duration> ParseEvery(const std::vector<absl::string_view>& words) {
  if (words.size() != 2) {
    return absl::InvalidArgumentError("@every takes exactly one duration, e.g. '@every 1h30m'");
  }
  ASSIGN_OR_RETURN(absl::Duration every,
                   ParseGoDuration(std::string_view(words[1].data(), words[1].size())));
  if (every <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("@every duration must be positive, got '%s'", words[1]));
  }
  return std::max(absl::Trunc(every, absl::Seconds(1)), absl::Seconds(1));
}

absl::StatusOr<Body> ParseDescriptor(absl::string_view text) {
  const std::vector<absl::string_view> words = SplitWords(text);
  Body body;
  if (absl::EqualsIgnoreCase(words[0], "@every")) {
    ASSIGN_OR_RETURN(body.every, ParseEvery(words));
    return body;
  }
  for (const Descriptor& d : kDescriptors) {
    if (!absl::EqualsIgnoreCase(words[0], d.name)) continue;
    if (words.size() != 1) {
      return absl::InvalidArgumentError(
          absl::StrFormat("unexpected '%s' after '%s'", words[1], words[0]));
    }
    ASSIGN_OR_RETURN(body.fields, cron_internal::ParseCronFields(SplitWords(d.fields)));
    return body;
  }
  return absl::InvalidArgumentError(absl::StrFormat("unknown descriptor '%s'", words[0]));
}

absl::StatusOr<Body> ParseBody(absl::string_view text) {
  if (text[0] == '@') return ParseDescriptor(text);
  Body body;
  ASSIGN_OR_RETURN(body.fields, cron_internal::ParseCronFields(SplitWords(text)));
  return body;
}

}  // namespace

absl::StatusOr<CronSchedule> CronSchedule::Parse(std::string_view spec,
                                                 absl::TimeZone default_zone) {
  auto impl = std::make_shared<Impl>();
  impl->spec = std::string(spec);
  impl->zone = default_zone;
  // Debian's Abseil has its own string_view type; convert once here.
  absl::string_view rest = absl::StripAsciiWhitespace(absl::string_view(spec.data(), spec.size()));
  if (rest.empty()) return absl::InvalidArgumentError("empty cron spec");
  ASSIGN_OR_RETURN(std::optional<absl::TimeZone> zone, ConsumeZonePrefix(rest));
  if (zone.has_value()) impl->zone = *zone;
  ASSIGN_OR_RETURN(impl->body, ParseBody(rest));
  CronSchedule schedule;
  schedule.impl_ = std::move(impl);
  return schedule;
}

std::optional<absl::Time> CronSchedule::Next(absl::Time after) const {
  if (impl_ == nullptr) return std::nullopt;
  const Body& body = impl_->body;
  if (body.every.has_value()) {
    // Like robfig: counted from the start of the second `after` falls in.
    return absl::FromUnixSeconds(absl::ToUnixSeconds(after)) + *body.every;
  }
  return cron_internal::NextCronTime(body.fields, impl_->zone, after, after + kSearchHorizon);
}

absl::TimeZone CronSchedule::zone() const {
  return impl_ == nullptr ? absl::UTCTimeZone() : impl_->zone;
}

const std::string& CronSchedule::spec() const {
  // Only a default-constructed schedule gets here. Leaked on purpose: function-local statics
  // must not have exit-time destructors (Google style).
  static const std::string* const kEmpty = new std::string();
  return impl_ == nullptr ? *kEmpty : impl_->spec;
}

}  // namespace asgard::sched
