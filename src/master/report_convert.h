// File: report_convert.h
// Between the wire (asgard.v1) and the store (task definitions: rpc/task_definition.h): a
// heartbeat's observed states become store updates, and a report batch becomes archive,
// exception and monitor rows whose (uuid, seq) identity is the same every time the batch is
// sent, so the store keeps each once.
//
//   ASSIGN_OR_RETURN(ReportRows rows, ToReportRows(batch, agent_id));
//   store.InsertArchives(rows.archives);
#pragma once

#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "asgard/v1/master.pb.h"
#include "store/records.h"

namespace asgard::master {

// Items of one kind in one batch; a batch beyond it is refused (the agent sends smaller ones).
inline constexpr int kMaxItemsPerBatch = 100000;
// seq of an item = batch seq * kSeqStride + its index in its list.
inline constexpr int64_t kSeqStride = 1000000;

// Observed states of tasks of known kinds; others are skipped.
std::vector<store::ObservedReport> ToObservedReports(
    const google::protobuf::RepeatedPtrField<v1::TaskObserved>& tasks);

struct ReportRows {
  std::vector<store::ArchiveRecord> archives;
  std::vector<store::ExceptionRecord> exceptions;
  std::vector<store::MonitorSample> monitors;
};

// InvalidArgument (naming the field) for a batch without stream_uuid or seq, or too large.
// Items without a run uuid get the stream's; a sample without a task is the agent's own.
absl::StatusOr<ReportRows> ToReportRows(const v1::ReportBatch& batch, int64_t agent_id,
                                        absl::Time now);

}  // namespace asgard::master
