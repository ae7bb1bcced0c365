#include "runtime/fired_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string_view>

#include "absl/time/time.h"
#include "common/absl_fmt.h"
#include "common/errno_status.h"
#include "spdlog/spdlog.h"

namespace asgard::runtime {
namespace {

constexpr std::string_view kUnknownBefore = "unknown-before ";

int64_t Seconds(WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

UniqueFd OpenForAppend(const std::string& path) {
  return UniqueFd(open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
}

std::optional<int64_t> ParseSeconds(std::string_view digits) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return value;
}

// What a fired file holds, and whether all of it could be read.
struct Contents {
  std::set<std::pair<std::string, int64_t>> fired;
  std::optional<int64_t> unknown_before;
  std::string damage;  // "" = every line was read
};

// One line as MarkFired or Rewrite writes it; false if it is not one.
bool ParseLine(std::string_view line, Contents& out) {
  if (line.starts_with(kUnknownBefore)) {
    std::optional<int64_t> at = ParseSeconds(line.substr(kUnknownBefore.size()));
    if (at) out.unknown_before = std::max(out.unknown_before.value_or(*at), *at);
    return at.has_value();
  }
  size_t space = line.find(' ');
  if (space == std::string_view::npos || space + 1 == line.size()) return false;
  std::optional<int64_t> at = ParseSeconds(line.substr(0, space));
  if (at) out.fired.emplace(std::string(line.substr(space + 1)), *at);
  return at.has_value();
}

Contents ReadContents(const std::string& path) {
  Contents out;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (access(path.c_str(), F_OK) == 0) out.damage = "it cannot be read";
    return out;
  }
  std::stringstream text;
  text << in.rdbuf();
  std::string_view rest = text.view();
  int bad = 0;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    // A last line without its '\n' is a write that did not finish: it does not count.
    if (nl == std::string_view::npos || !ParseLine(rest.substr(0, nl), out)) ++bad;
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  }
  if (in.bad()) out.damage = "it cannot be read";
  if (bad > 0) out.damage = std::to_string(bad) + " of its lines cannot be read";
  return out;
}

std::string LocalTime(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", absl::FromUnixSeconds(unix_seconds),
                          absl::LocalTimeZone());
}

}  // namespace

absl::StatusOr<std::unique_ptr<FiredFile>> FiredFile::Open(const std::string& path, WallTime now) {
  Contents contents = ReadContents(path);
  if (contents.damage.empty()) {
    UniqueFd fd = OpenForAppend(path);
    if (!fd.valid()) return ErrnoStatus("open " + path);
    return std::unique_ptr<FiredFile>(
        new FiredFile(path, std::move(fd), std::move(contents.fired), contents.unknown_before));
  }
  // Whatever fired before now may be among the lost lines; what fires from now on is recorded
  // in the new file.
  int64_t damaged_at = std::max(contents.unknown_before.value_or(Seconds(now)), Seconds(now));
  std::string aside = path + ".corrupt";
  spdlog::error(
      "{}: {}; moved aside to {}. Timings due before now that it does not list as fired will "
      "not run, at this start or later ones: whether they already ran is unknown",
      path, contents.damage, aside);
  if (std::rename(path.c_str(), aside.c_str()) != 0) {
    spdlog::error("{}", ErrnoStatus("rename " + path).message());
  }
  std::unique_ptr<FiredFile> file(
      new FiredFile(path, UniqueFd(), std::move(contents.fired), damaged_at));
  if (auto s = file->Rewrite([](const auto&) { return true; }); !s.ok()) return s;
  return file;
}

bool FiredFile::WasFired(const std::string& name, WallTime time) const {
  return fired_.count({name, Seconds(time)}) > 0;
}

std::optional<std::string> FiredFile::FiredStateUnknown(const std::string& name,
                                                        WallTime time) const {
  if (!unknown_before_ || Seconds(time) > *unknown_before_ || WasFired(name, time)) {
    return std::nullopt;
  }
  return "its fired state is unknown: " + path_ + " was found damaged at " +
         LocalTime(*unknown_before_) + " and may have lost the record of an earlier run";
}

absl::Status FiredFile::MarkFired(const std::string& name, WallTime time) {
  std::string line = std::to_string(Seconds(time)) + " " + name + "\n";
  ssize_t n = write(fd_.get(), line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size())) return ErrnoStatus("write " + path_);
  fired_.emplace(name, Seconds(time));
  return absl::OkStatus();
}

absl::Status FiredFile::Compact(const std::set<std::pair<std::string, int64_t>>& keep) {
  return Rewrite([&keep](const auto& entry) { return keep.count(entry) > 0; });
}

template <typename Keep>
absl::Status FiredFile::Rewrite(Keep keep) {
  std::string tmp = path_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (unknown_before_) out << kUnknownBefore << *unknown_before_ << '\n';
    for (const auto& entry : fired_) {
      if (keep(entry)) out << entry.second << ' ' << entry.first << '\n';
    }
    if (!out) return ErrnoStatus("write " + tmp);
  }
  if (std::rename(tmp.c_str(), path_.c_str()) != 0) return ErrnoStatus("rename " + tmp);
  std::erase_if(fired_, [&](const auto& e) { return !keep(e); });
  fd_ = OpenForAppend(path_);
  if (!fd_.valid()) return ErrnoStatus("open " + path_);
  return absl::OkStatus();
}

}  // namespace asgard::runtime
