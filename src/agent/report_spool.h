// File: report_spool.h
// The agent's durable queue of report batches (monitor samples, archives, exceptions) waiting
// to reach the master. A batch survives agent restarts and master outages until the master
// acknowledges it; batches are numbered within one stream whose uuid is kept with the spool,
// so the master can store every batch once however often it is re-sent.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<ReportSpool> spool,
//                    ReportSpool::Open("runtime/spool", 64 * 1024 * 1024));
//   ASSIGN_OR_RETURN(int64_t seq, spool->Append(std::move(batch)));    // collector thread
//   while (std::optional<v1::ReportBatch> next = spool->Front()) {     // sender thread
//     ASSIGN_OR_RETURN(v1::ReportAck ack, Send(*next));
//     RETURN_IF_ERROR(spool->Ack(ack.stored_seq()));
//   }
//
// On disk, in `dir`: `stream` (the stream uuid), `acked` (the highest acknowledged seq), and
// one `<seq, 12 digits>.batch` file per pending batch (a serialized v1::ReportBatch). Every
// file is written as tmp file, fsync, rename, fsync of the directory, so a crash leaves either
// the old or the new content, never a torn file.
//
// Bound: when the batch files exceed max_bytes, the oldest batches lose their monitor samples
// (kept: seq, archives, exceptions), oldest first, until the spool fits again. Archives and
// exceptions are never dropped, so the spool may stay over the bound; that is logged once
// each time the bound is crossed.
//
// Thread-safety: all methods may be called from any thread (one mutex; calls block on disk
// I/O while holding it, so keep them off event loops).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "asgard/v1/master.pb.h"
#include "common/unique_fd.h"

namespace asgard::agent {

class ReportSpool {
 public:
  // Opens the spool in `dir`, created 0700 (with missing parents) if missing. Leftover *.tmp
  // files are removed; a batch file that does not parse is renamed to <name>.corrupt (with a
  // warning) and skipped. A `stream` or `acked` file that does not parse is renamed to
  // <name>.corrupt too (logged), and a new stream begins: continuing the old one could reuse
  // its sequence numbers, while the master never mistakes a new stream's batches for old ones.
  // Pending batches keep the stream they were stamped with and are still sent. Fails if the
  // directory, `stream` or `acked` cannot be read at all (permissions, I/O).
  static absl::StatusOr<std::unique_ptr<ReportSpool>> Open(const std::string& dir,
                                                           size_t max_bytes);

  ReportSpool(const ReportSpool&) = delete;
  ReportSpool& operator=(const ReportSpool&) = delete;

  // Made on the first Open of `dir`, the same on every later Open.
  const std::string& stream_uuid() const { return stream_uuid_; }

  // Stamps `batch` with stream_uuid() and the next sequence number (strictly increasing for
  // the life of the stream: across restarts and after everything was acknowledged), stores it
  // durably and returns that number. On error nothing is stored and the number is not reused.
  absl::StatusOr<int64_t> Append(v1::ReportBatch batch);

  // The oldest batch not yet acknowledged, read from disk; nullopt if there is none, or if
  // reading it failed for a reason that may pass (logged; call again later). A batch file
  // that no longer parses is moved aside as at Open, and the next one returned.
  std::optional<v1::ReportBatch> Front();

  // The master stored every batch with seq <= stored_seq: remembers that durably, then deletes
  // those batches. Later sequence numbers are above stored_seq even if this spool never
  // appended that far. A stored_seq at or below an earlier one only retries deletions.
  absl::Status Ack(int64_t stored_seq);

  // Total bytes of the pending batch files, and their number.
  size_t bytes() const;
  size_t size() const;
  // Monitor samples dropped to honour max_bytes since this Open.
  int64_t dropped_monitors() const;

 private:
  struct Entry {
    size_t bytes = 0;
    int monitors = 0;  // samples in the file; 0 once stripped
  };

  ReportSpool(std::string dir, UniqueFd dir_fd, size_t max_bytes, std::string stream_uuid);

  absl::Status Load() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void LoadBatchFile(const std::string& name, int64_t seq) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::StatusOr<v1::ReportBatch> ReadBatch(int64_t seq) const;
  absl::Status WriteBatch(const v1::ReportBatch& batch, Entry* entry)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void MoveAside(const std::string& name, const std::string& why);
  void EnforceBound() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::string dir_;
  const UniqueFd dir_fd_;  // the open spool directory: files are opened relative to it
  const size_t max_bytes_;
  const std::string stream_uuid_;

  mutable absl::Mutex mu_;
  std::map<int64_t, Entry> index_ ABSL_GUARDED_BY(mu_);  // pending batches by seq, on disk
  size_t bytes_ ABSL_GUARDED_BY(mu_) = 0;                // sum of index_ bytes
  int64_t acked_ ABSL_GUARDED_BY(mu_) = 0;               // as in the `acked` file
  int64_t next_seq_ ABSL_GUARDED_BY(mu_) = 1;            // above every seq ever appended or acked
  int64_t dropped_monitors_ ABSL_GUARDED_BY(mu_) = 0;
  bool over_bound_warned_ ABSL_GUARDED_BY(mu_) = false;  // reset once back under max_bytes_
};

}  // namespace asgard::agent
