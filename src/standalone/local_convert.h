// File: local_convert.h
// runtime::TaskView / runtime::TaskDetailView -> asgard.v1 messages of the local status service.
#pragma once

#include "asgard/v1/local.pb.h"
#include "runtime/task_view.h"

namespace asgard::standalone {

void ToProto(const runtime::TaskView& view, asgard::v1::TaskStatus* out);
void ToProto(const runtime::TaskDetailView& detail, asgard::v1::TaskDetail* out);

}  // namespace asgard::standalone
