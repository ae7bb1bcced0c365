#include "agent/report_spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <string_view>
#include <utility>
#include <vector>

#include "common/absl_fmt.h"
#include "common/errno_status.h"
#include "common/logging.h"
#include "common/status_macros.h"
#include "common/uuid.h"
#include "spdlog/spdlog.h"

namespace asgard::agent {
namespace {

constexpr char kStreamFile[] = "stream";
constexpr char kAckedFile[] = "acked";
constexpr std::string_view kBatchSuffix = ".batch";
constexpr std::string_view kCorruptSuffix = ".batch.corrupt";
constexpr std::string_view kTmpSuffix = ".tmp";

// Zero-padded so that a directory listing (ls, a human debugging) shows seq order.
std::string BatchName(int64_t seq) {
  char name[32];
  std::snprintf(name, sizeof(name), "%012lld.batch", static_cast<long long>(seq));
  return name;
}

// "000000000042<suffix>" -> 42; nullopt for any other name.
std::optional<int64_t> ParseSeq(std::string_view name, std::string_view suffix) {
  if (name.size() <= suffix.size() || !name.ends_with(suffix)) return std::nullopt;
  std::string_view digits = name.substr(0, name.size() - suffix.size());
  int64_t seq = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  if (ec != std::errc() || end != digits.data() + digits.size() || seq <= 0) return std::nullopt;
  return seq;
}

std::string_view TrimNewline(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  return s;
}

absl::StatusOr<std::string> ReadFileAt(int dir_fd, const std::string& path, const char* name) {
  UniqueFd fd(openat(dir_fd, name, O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return ErrnoStatus("open " + path);
  std::string data;
  char buf[64 * 1024];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("read " + path);
    if (n == 0) return data;
    data.append(buf, static_cast<size_t>(n));
  }
}

// Replaces `name` atomically and durably: after a crash it holds the old or the new content.
absl::Status WriteFileAt(int dir_fd, const std::string& dir, const std::string& name,
                         std::string_view data) {
  std::string tmp = name + std::string(kTmpSuffix);
  std::string tmp_path = dir + "/" + tmp;
  UniqueFd fd(openat(dir_fd, tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return ErrnoStatus("open " + tmp_path);
  auto fail = [&](const std::string& what) {
    absl::Status status = ErrnoStatus(what);
    unlinkat(dir_fd, tmp.c_str(), 0);
    return status;
  };
  while (!data.empty()) {
    ssize_t n = write(fd.get(), data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("write " + tmp_path);
    data.remove_prefix(static_cast<size_t>(n));
  }
  if (fsync(fd.get()) != 0) return fail("fsync " + tmp_path);
  fd.reset();
  if (renameat(dir_fd, tmp.c_str(), dir_fd, name.c_str()) != 0) return fail("rename " + tmp_path);
  if (fsync(dir_fd) != 0) return ErrnoStatus("fsync " + dir);
  return absl::OkStatus();
}

// The stream uuid in `stream`; NotFound before the first Open, DataLoss if it does not parse.
absl::StatusOr<std::string> LoadStream(int dir_fd, const std::string& dir) {
  std::string path = dir + "/" + kStreamFile;
  ASSIGN_OR_RETURN(std::string text, ReadFileAt(dir_fd, path, kStreamFile));
  std::string_view uuid = TrimNewline(text);
  if (uuid.size() != 36) return absl::DataLossError(path + ": not a stream uuid");
  return std::string(uuid);
}

absl::StatusOr<int64_t> LoadAcked(int dir_fd, const std::string& dir) {
  std::string path = dir + "/" + kAckedFile;
  absl::StatusOr<std::string> text = ReadFileAt(dir_fd, path, kAckedFile);
  if (absl::IsNotFound(text.status())) return 0;
  if (!text.ok()) return text.status();
  std::string_view digits = TrimNewline(*text);
  int64_t acked = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), acked);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return absl::DataLossError(path + ": not a sequence number");
  }
  return acked;
}

// A damaged `stream` or `acked` file: moved aside for a human, and the caller starts a new
// stream, since the old one's next sequence number is no longer known.
void MoveAsideDamaged(int dir_fd, const std::string& dir, const char* name,
                      const absl::Status& why) {
  std::string aside = std::string(name) + ".corrupt";
  spdlog::error("report spool: {}; moved aside to {}/{}, starting a new report stream",
                why.message(), dir, aside);
  if (renameat(dir_fd, name, dir_fd, aside.c_str()) != 0) {
    spdlog::error("report spool: {}", ErrnoStatus("rename " + dir + "/" + name));
  }
}

// The stream to continue, or a new one: at the first Open, and after a damaged `stream` or
// `acked` file (the master dedupes by stream and seq, so a new stream cannot collide with
// anything sent before; pending batches keep the stream they were stamped with). `acked` is
// moved aside too then, so that Load starts from 0.
absl::StatusOr<std::string> LoadOrRenewStream(int dir_fd, const std::string& dir) {
  absl::StatusOr<std::string> stream = LoadStream(dir_fd, dir);
  absl::Status acked = LoadAcked(dir_fd, dir).status();
  if (!stream.ok() && !absl::IsNotFound(stream.status()) && !absl::IsDataLoss(stream.status())) {
    return stream.status();  // unreadable for now (permissions, I/O): do not guess
  }
  if (!acked.ok() && !absl::IsDataLoss(acked)) return acked;
  if (absl::IsDataLoss(stream.status())) {
    MoveAsideDamaged(dir_fd, dir, kStreamFile, stream.status());
  }
  if (absl::IsDataLoss(acked)) MoveAsideDamaged(dir_fd, dir, kAckedFile, acked);
  if (stream.ok() && acked.ok()) return *stream;
  std::string uuid = NewUuid();
  RETURN_IF_ERROR(WriteFileAt(dir_fd, dir, kStreamFile, uuid + "\n"));
  return uuid;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ReportSpool>> ReportSpool::Open(const std::string& dir,
                                                               size_t max_bytes) {
  RETURN_IF_ERROR(MakeDirs(dir, 0700));
  UniqueFd dir_fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd.valid()) return ErrnoStatus("open " + dir);
  ASSIGN_OR_RETURN(std::string uuid, LoadOrRenewStream(dir_fd.get(), dir));
  std::unique_ptr<ReportSpool> spool(
      new ReportSpool(dir, std::move(dir_fd), max_bytes, std::move(uuid)));
  absl::MutexLock lock(&spool->mu_);
  RETURN_IF_ERROR(spool->Load());
  return spool;
}

ReportSpool::ReportSpool(std::string dir, UniqueFd dir_fd, size_t max_bytes,
                         std::string stream_uuid)
    : dir_(std::move(dir)),
      dir_fd_(std::move(dir_fd)),
      max_bytes_(max_bytes),
      stream_uuid_(std::move(stream_uuid)) {}

absl::Status ReportSpool::Load() {
  ASSIGN_OR_RETURN(acked_, LoadAcked(dir_fd_.get(), dir_));
  next_seq_ = acked_ + 1;
  // Names first: changing a directory while iterating it may skip or repeat entries.
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec) return absl::InternalError("list " + dir_ + ": " + ec.message());
  for (const std::string& name : names) {
    if (name.ends_with(kTmpSuffix)) {
      // A write that a crash interrupted before its rename: never part of the spool.
      unlinkat(dir_fd_.get(), name.c_str(), 0);
    } else if (std::optional<int64_t> seq = ParseSeq(name, kCorruptSuffix)) {
      // The master may have been sent this seq before the file went bad: never reuse it.
      next_seq_ = std::max(next_seq_, *seq + 1);
    } else if (std::optional<int64_t> seq = ParseSeq(name, kBatchSuffix)) {
      // At or below acked_: an Ack that a crash interrupted after recording it.
      if (*seq <= acked_) {
        unlinkat(dir_fd_.get(), name.c_str(), 0);
      } else {
        LoadBatchFile(name, *seq);
      }
    }
  }
  EnforceBound();  // max_bytes may be lower than at the last run
  return absl::OkStatus();
}

void ReportSpool::LoadBatchFile(const std::string& name, int64_t seq) {
  next_seq_ = std::max(next_seq_, seq + 1);
  absl::StatusOr<v1::ReportBatch> batch = ReadBatch(seq);
  if (!batch.ok()) {
    MoveAside(name, batch.status().ToString());
    return;
  }
  Entry entry{.bytes = batch->ByteSizeLong(), .monitors = batch->monitors_size()};
  bytes_ += entry.bytes;
  index_[seq] = entry;
}

absl::StatusOr<v1::ReportBatch> ReportSpool::ReadBatch(int64_t seq) const {
  std::string name = BatchName(seq);
  std::string path = dir_ + "/" + name;
  ASSIGN_OR_RETURN(std::string data, ReadFileAt(dir_fd_.get(), path, name.c_str()));
  v1::ReportBatch batch;
  if (!batch.ParseFromString(data)) return absl::DataLossError(path + ": not a ReportBatch");
  if (batch.seq() != seq) {
    return absl::DataLossError(path + ": holds seq " + std::to_string(batch.seq()));
  }
  return batch;
}

absl::Status ReportSpool::WriteBatch(const v1::ReportBatch& batch, Entry* entry) {
  std::string data;
  if (!batch.SerializeToString(&data)) return absl::InternalError("serialize report batch");
  RETURN_IF_ERROR(WriteFileAt(dir_fd_.get(), dir_, BatchName(batch.seq()), data));
  *entry = Entry{.bytes = data.size(), .monitors = batch.monitors_size()};
  return absl::OkStatus();
}

void ReportSpool::MoveAside(const std::string& name, const std::string& why) {
  std::string aside = name + ".corrupt";
  spdlog::warn("report spool: {}; moved aside to {}", why, aside);
  if (renameat(dir_fd_.get(), name.c_str(), dir_fd_.get(), aside.c_str()) != 0) {
    spdlog::warn("report spool: {}", ErrnoStatus("rename " + dir_ + "/" + name));
  }
}

void ReportSpool::EnforceBound() {
  for (auto& [seq, entry] : index_) {
    if (bytes_ <= max_bytes_) break;
    if (entry.monitors == 0) continue;
    absl::StatusOr<v1::ReportBatch> batch = ReadBatch(seq);
    Entry stripped;
    absl::Status status = batch.status();
    if (batch.ok()) {
      batch->clear_monitors();
      status = WriteBatch(*batch, &stripped);
    }
    if (!status.ok()) {
      // Left as it is; Front moves a bad file aside, and a write may work next time.
      spdlog::warn("report spool: dropping monitors of batch {}: {}", seq, status);
      continue;
    }
    bytes_ = bytes_ - entry.bytes + stripped.bytes;
    dropped_monitors_ += entry.monitors;
    entry = stripped;
  }
  if (bytes_ <= max_bytes_) {
    over_bound_warned_ = false;
  } else if (!over_bound_warned_) {
    over_bound_warned_ = true;
    spdlog::warn(
        "report spool {}: {} bytes in {} batches, over its bound of {}, all monitor "
        "samples dropped; archives and exceptions are kept",
        dir_, bytes_, index_.size(), max_bytes_);
  }
}

absl::StatusOr<int64_t> ReportSpool::Append(v1::ReportBatch batch) {
  absl::MutexLock lock(&mu_);
  // Taken even if the write fails: a file under this name may exist after a failed fsync.
  int64_t seq = next_seq_++;
  batch.set_stream_uuid(stream_uuid_);
  batch.set_seq(seq);
  Entry entry;
  if (absl::Status status = WriteBatch(batch, &entry); !status.ok()) {
    // The caller is told the batch is not stored, so it must not be sent later either.
    unlinkat(dir_fd_.get(), BatchName(seq).c_str(), 0);
    return status;
  }
  index_[seq] = entry;
  bytes_ += entry.bytes;
  EnforceBound();
  return seq;
}

std::optional<v1::ReportBatch> ReportSpool::Front() {
  absl::MutexLock lock(&mu_);
  while (!index_.empty()) {
    auto oldest = index_.begin();
    absl::StatusOr<v1::ReportBatch> batch = ReadBatch(oldest->first);
    if (batch.ok()) return *std::move(batch);
    if (absl::IsDataLoss(batch.status())) {
      MoveAside(BatchName(oldest->first), batch.status().ToString());
    } else if (!absl::IsNotFound(batch.status())) {
      // Maybe passing (out of fds, I/O error): keep the batch for a later call.
      spdlog::warn("report spool: {}", batch.status());
      return std::nullopt;
    }
    bytes_ -= oldest->second.bytes;
    index_.erase(oldest);
  }
  return std::nullopt;
}

absl::Status ReportSpool::Ack(int64_t stored_seq) {
  absl::MutexLock lock(&mu_);
  // Recorded before deleting, so that a crash in between cannot bring an acked batch back
  // (Open deletes batch files at or below the recorded seq).
  if (stored_seq > acked_) {
    RETURN_IF_ERROR(
        WriteFileAt(dir_fd_.get(), dir_, kAckedFile, std::to_string(stored_seq) + "\n"));
    acked_ = stored_seq;
    next_seq_ = std::max(next_seq_, stored_seq + 1);
  }
  absl::Status result;
  while (!index_.empty() && index_.begin()->first <= acked_) {
    auto oldest = index_.begin();
    std::string name = BatchName(oldest->first);
    if (unlinkat(dir_fd_.get(), name.c_str(), 0) != 0 && errno != ENOENT) {
      result = ErrnoStatus("unlink " + dir_ + "/" + name);  // retried by the next Ack
      break;
    }
    bytes_ -= oldest->second.bytes;
    index_.erase(oldest);
  }
  if (bytes_ <= max_bytes_) over_bound_warned_ = false;
  return result;
}

size_t ReportSpool::bytes() const {
  absl::MutexLock lock(&mu_);
  return bytes_;
}

size_t ReportSpool::size() const {
  absl::MutexLock lock(&mu_);
  return index_.size();
}

int64_t ReportSpool::dropped_monitors() const {
  absl::MutexLock lock(&mu_);
  return dropped_monitors_;
}

}  // namespace asgard::agent
