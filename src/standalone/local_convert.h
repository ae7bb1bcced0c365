// File: local_convert.h
// TaskView / TaskDetailView -> asgard.v1 messages of the local status service.
#pragma once

#include "asgard/v1/local.pb.h"
#include "standalone/task_view.h"

namespace asgard::standalone {

void ToProto(const TaskView& view, asgard::v1::TaskStatus* out);
void ToProto(const TaskDetailView& detail, asgard::v1::TaskDetail* out);

}  // namespace asgard::standalone
