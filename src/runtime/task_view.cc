#include "runtime/task_view.h"

namespace asgard::runtime {

void FillFromSpec(const process::ProcessSpec& spec, TaskView& v) {
  v.name = spec.name;
  v.dir = spec.dir;
  v.program = spec.program;
  v.args = spec.args;
  v.std_out = spec.std_out;
  v.std_err = spec.std_err;
  v.user = spec.user;
}

void FillFromSample(const process::ProcSample& sample, TaskView& v) {
  if (v.pid == 0) return;
  v.cpu = sample.cpu_percent;
  v.memory_mb = sample.rss_mb;
  v.threads = sample.threads;
}

}  // namespace asgard::runtime
