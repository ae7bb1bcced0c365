#include "standalone/local_convert.h"

namespace asgard::standalone {
namespace {

using runtime::WallTime;

int64_t Seconds(WallTime t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

int64_t Seconds(const std::optional<WallTime>& t) { return t ? Seconds(*t) : 0; }

}  // namespace

void ToProto(const runtime::TaskView& v, asgard::v1::TaskStatus* out) {
  out->set_id(v.id);
  out->set_kind(process::TaskKindName(v.kind));
  out->set_name(v.name);
  out->set_dir(v.dir);
  out->set_program(v.program);
  out->set_args(v.args);
  out->set_std_out(v.std_out);
  out->set_std_err(v.std_err);
  out->set_user(v.user);
  out->set_state(v.state);
  out->set_desired(v.desired);
  out->set_pid(v.pid);
  out->set_running(v.running);
  out->set_started_at(Seconds(v.started_at));
  out->set_restarts(v.restarts);
  if (v.last_exit) {
    out->set_has_last_exit(true);
    out->set_last_exit_status(v.last_exit->status);
    out->set_last_exit_signal(v.last_exit->signal);
    out->set_last_exit_at(Seconds(v.last_exit->end));
  }
  out->set_spec(v.spec);
  out->set_time(Seconds(v.time));
  out->set_next_run_at(Seconds(v.next_run_at));
  out->set_last_run_at(Seconds(v.last_run_at));
  out->set_auto_restart(v.auto_restart);
  out->set_timeout(v.timeout);
  out->set_concurrency(v.concurrency);
  out->set_skipped(v.skipped);
  out->set_cpu(v.cpu);
  out->set_memory_mb(v.memory_mb);
  out->set_threads(v.threads);
  out->set_output_dropped_bytes(v.output_dropped_bytes);
}

void ToProto(const runtime::TaskDetailView& d, asgard::v1::TaskDetail* out) {
  ToProto(d.task, out->mutable_status());
  for (const auto& a : d.archives) {
    auto* p = out->add_archives();
    p->set_uuid(a.uuid);
    p->set_pid(a.pid);
    p->set_begin_time(Seconds(a.begin));
    p->set_end_time(Seconds(a.end));
    p->set_status(a.status);
    p->set_signal(a.signal);
  }
  for (const auto& e : d.exceptions) {
    auto* p = out->add_exceptions();
    p->set_uuid(e.uuid);
    p->set_pid(e.pid);
    p->set_time(Seconds(e.time));
    p->set_desc(e.desc);
  }
}

}  // namespace asgard::standalone
