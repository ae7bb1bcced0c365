// File: report_alerts.h
// Which stored reports become failure alerts (SPEC 9), and the names an alert shows. Only
// items stored for the first time count, so a report the agent sends again after a lost
// answer does not alert twice.
//
//   for (auto& alert : ReportAlerts(batch, rows, fresh)) notifier.Post(std::move(alert));
#pragma once

#include <vector>

#include "asgard/v1/master.pb.h"
#include "master/report_convert.h"
#include "notify/alert.h"
#include "store/store.h"

namespace asgard::master {

// Archives with a failing status and failure exceptions of tasks, among `fresh`.
std::vector<notify::Alert> ReportAlerts(const v1::ReportBatch& batch, const ReportRows& rows,
                                        const store::FreshRecords& fresh);
notify::Alert OfflineAlert(int64_t agent_id, absl::Duration silent_for, absl::Time now);
// Task name, command, dir and "alias (ip:port)" of its agent; what cannot be read stays empty.
void DescribeFromStore(store::Store& store, notify::Alert& alert);

}  // namespace asgard::master
