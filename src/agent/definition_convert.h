// File: definition_convert.h
// A task definition from the master (asgard.v1.TaskDefinition) in the runtime's own terms: the
// same app/job/timing configs the standalone guard and cron run, after the same validation a
// line of app.yaml gets. Inside the agent a task is known by its key "<name>#<id>", so two
// tasks of one kind may share a name and a renamed task is a changed one.
//
//   ASSIGN_OR_RETURN(config::AppConfig app, ToAppConfig(definition));
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "asgard/v1/task.pb.h"
#include "config/config.h"
#include "process/records.h"

namespace asgard::agent {

std::string TaskKey(const v1::TaskDefinition& def);

// kApp, kJob, kTiming; InvalidArgument for an unspecified kind.
absl::StatusOr<process::TaskKind> RuntimeKind(v1::TaskKind kind);
v1::TaskKind WireKind(process::TaskKind kind);

// Each validates what its kind needs (program, args quoting, signal, cron spec, concurrency,
// time) and names the field in its InvalidArgument message.
absl::StatusOr<config::AppConfig> ToAppConfig(const v1::TaskDefinition& def);
absl::StatusOr<config::JobConfig> ToJobConfig(const v1::TaskDefinition& def);
absl::StatusOr<config::TimingConfig> ToTimingConfig(const v1::TaskDefinition& def);
// The check alone, for any kind.
absl::Status ValidateDefinition(const v1::TaskDefinition& def);

}  // namespace asgard::agent
