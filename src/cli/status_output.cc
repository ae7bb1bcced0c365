#include "cli/status_output.h"

#include <ctime>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "cli/table.h"
#include "common/printable.h"
#include "google/protobuf/util/json_util.h"

namespace asgard::cli {
namespace {

using asgard::v1::TaskStatus;

std::string Command(const TaskStatus& t) {
  return t.args().empty() ? t.program() : t.program() + " " + t.args();
}

std::string Uptime(const TaskStatus& t) {
  if (t.pid() == 0 || t.started_at() == 0) return "-";
  return FormatDuration(static_cast<int64_t>(std::time(nullptr)) - t.started_at());
}

std::string LastResult(const TaskStatus& t) {
  if (!t.has_last_exit()) return "-";
  std::string r = "status " + std::to_string(t.last_exit_status());
  if (!t.last_exit_signal().empty()) r += " (" + t.last_exit_signal() + ")";
  return r;
}

std::string Pid(const TaskStatus& t) { return t.pid() ? std::to_string(t.pid()) : "-"; }

// Under a table: the tasks whose output is being lost (a full disk), which the state column
// cannot tell (they are running as they should).
std::string DroppedOutputNote(const asgard::v1::ListResponse& list) {
  std::string note;
  for (const auto& t : list.tasks()) {
    if (t.output_dropped_bytes() == 0) continue;
    note += "output dropped: " + t.name() + " (" + std::to_string(t.output_dropped_bytes()) +
            " bytes could not be written to its files)\n";
  }
  return note;
}

}  // namespace

std::string FormatDuration(int64_t s) {
  if (s < 0) s = 0;
  if (s >= 86400) return absl::StrFormat("%dd%dh", s / 86400, (s % 86400) / 3600);
  if (s >= 3600) return absl::StrFormat("%dh%dm", s / 3600, (s % 3600) / 60);
  if (s >= 60) return absl::StrFormat("%dm%ds", s / 60, s % 60);
  return absl::StrFormat("%ds", s);
}

std::string FormatLocalTime(int64_t unix_seconds) {
  if (unix_seconds == 0) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixSeconds(unix_seconds),
                          absl::LocalTimeZone());
}

std::string RenderGuardStatus(const asgard::v1::ListResponse& list) {
  Table table({"ID", "NAME", "STATE", "PID", "UPTIME", "RESTARTS", "DIR", "COMMAND"});
  for (const auto& t : list.tasks()) {
    table.AddRow({std::to_string(t.id()), t.name(), t.state(), Pid(t), Uptime(t),
                  std::to_string(t.restarts()), t.dir(), Command(t)});
  }
  return "app total: " + std::to_string(list.tasks_size()) + "\n" + table.Render() +
         DroppedOutputNote(list);
}

std::string RenderCronStatus(const asgard::v1::ListResponse& list) {
  Table jobs({"ID", "NAME", "SPEC", "STATE", "NEXT RUN", "LAST RUN", "LAST RESULT", "DIR",
              "COMMAND"});
  Table timings({"ID", "NAME", "TIME", "STATE", "LAST RESULT", "DIR", "COMMAND"});
  int job_count = 0, timing_count = 0;
  for (const auto& t : list.tasks()) {
    if (t.kind() == "job") {
      ++job_count;
      jobs.AddRow({std::to_string(t.id()), t.name(), t.spec(), t.state(),
                   FormatLocalTime(t.next_run_at()), FormatLocalTime(t.last_run_at()),
                   LastResult(t), t.dir(), Command(t)});
    } else {
      ++timing_count;
      timings.AddRow({std::to_string(t.id()), t.name(), FormatLocalTime(t.time()), t.state(),
                      LastResult(t), t.dir(), Command(t)});
    }
  }
  std::string out = "job total: " + std::to_string(job_count) + "\n" + jobs.Render();
  if (timing_count > 0) {
    out += "\ntiming total: " + std::to_string(timing_count) + "\n" + timings.Render();
  }
  return out + DroppedOutputNote(list);
}

std::string RenderShow(const asgard::v1::TaskDetail& d) {
  const TaskStatus& t = d.status();
  std::string k = t.kind() == "timing" ? "timing" : (t.kind() == "job" ? "job" : "app");
  std::string out = k + " info:\n";
  auto line = [&](const std::string& key, const std::string& value) {
    out += k + " " + key + ": " + Printable(value) + "\n";
  };
  line("name", t.name());
  if (t.kind() == "job") line("spec", t.spec());
  if (t.kind() == "timing") line("time", FormatLocalTime(t.time()));
  if (t.kind() != "app") line("timeout", std::to_string(t.timeout()));
  line("dir", t.dir());
  line("cmd", Command(t));
  line("std_out", t.std_out());
  line("err_out", t.std_err());
  if (t.kind() == "app") line("auto_restart", t.auto_restart() ? "true" : "false");
  if (!t.user().empty()) line("user", t.user());
  if (t.kind() == "job") line("concurrency", t.concurrency());
  out += "state: " + Printable(t.state()) + " (desired: " + Printable(t.desired()) + ")\n";
  out += "pid: " + Pid(t) + "\n";
  out += "uptime: " + Uptime(t) + "\n";
  if (t.kind() == "app") out += "restarts: " + std::to_string(t.restarts()) + "\n";
  if (t.kind() == "job") {
    out += "next run: " + FormatLocalTime(t.next_run_at()) + "\n";
    out += "last run: " + FormatLocalTime(t.last_run_at()) + "\n";
    out += "skipped fires: " + std::to_string(t.skipped()) + "\n";
  }
  out += absl::StrFormat("cpu: %.1f%%\nmemory: %.1f MB\nthreads: %d\n", t.cpu(), t.memory_mb(),
                         t.threads());
  out += "last exit: " + LastResult(t) + " at " + FormatLocalTime(t.last_exit_at()) + "\n";
  if (t.output_dropped_bytes() > 0) {
    out += "output dropped: " + std::to_string(t.output_dropped_bytes()) +
           " bytes of the latest run could not be written to its files\n";
  }
  Table runs({"UUID", "PID", "BEGIN", "END", "STATUS", "SIGNAL"});
  for (const auto& a : d.archives()) {
    runs.AddRow({a.uuid(), std::to_string(a.pid()), FormatLocalTime(a.begin_time()),
                 FormatLocalTime(a.end_time()), std::to_string(a.status()), a.signal()});
  }
  out += "\nrecent runs: " + std::to_string(d.archives_size()) + "\n" + runs.Render();
  Table errs({"TIME", "PID", "DESC"});
  for (const auto& e : d.exceptions()) {
    errs.AddRow({FormatLocalTime(e.time()), std::to_string(e.pid()), e.desc()});
  }
  out += "\nrecent exceptions: " + std::to_string(d.exceptions_size()) + "\n" + errs.Render();
  return out;
}

std::string RenderJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  return json;
}

}  // namespace asgard::cli
