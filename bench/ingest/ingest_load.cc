// File: ingest_load.cc
// The load generator of the ingest bench (bench/ingest.py): plays N agents reporting to one
// master over asgard.v1.Master and measures how fast and how quickly the master stores reports.
//
// Each simulated agent registers (ip 127.0.0.1, port 20000+i), then sends one Report every
// --interval seconds with --processes monitor samples and --archives-per-report run archives,
// on its own stream uuid with seq 1, 2, 3... The agents' phases are spread evenly over the
// interval, so the offered load is steady: agents * processes / interval samples/s.
//
// Open loop: one thread sends each report at its scheduled time through the async API and never
// waits for earlier ones, and one thread takes the completions, so a slow master shows up as
// latency and as a throughput below the offered load instead of slowing the generator down. The
// generator shares the machine with the master, so it builds each batch in place and uses two
// threads of its own (plus gRPC's).
//
// Steps (--rates R1,R2,...): the same agents report more often, step by step (each agent's
// interval becomes agents * processes / R), each step with its own warm-up and window, until a
// step where the master does not keep up: less than 99% of the offered samples stored in the
// window, a failed report, or a report p99 at or over --p99-limit-ms. Such a step is run once
// more (--retries) before the run stops, so that one noisy moment on a shared machine does not
// end it. The ceiling is the highest step that kept up. The master sees the same thing as from
// more agents reporting at the usual interval: reports of --processes samples each, at
// R / processes reports per second.
//
// Output: progress and each window's start/end on stderr ("ingest_load: measuring" and
// "ingest_load: window over", which bench/ingest.py waits for to sample the master), a summary
// per step on stdout, each followed by that step's figures as one JSON line, and as the last
// line {"steps": [...], "ceiling": <the figures of the highest step that kept up, or null>}.
// Exit 0 when a window was measured (failed reports are counted, not fatal), 1 when not one
// report of any window was stored, 2 when the run could not start (no master at --target, a
// refused registration, bad flags). Report latency is from the send to the ack, of the stored
// reports only.
//
//   ingest_load --target 127.0.0.1:9527 --token bench-token --agents 1000 --processes 100
//       --interval 10 --duration 60 --warmup 10
//   ingest_load --target 127.0.0.1:9527 --token bench-token --rates 10000,20000,40000,80000
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include "asgard/v1/master.grpc.pb.h"

namespace {

namespace v1 = asgard::v1;
using SteadyClock = std::chrono::steady_clock;

struct Options {
  std::string target = "127.0.0.1:9527";
  std::string token;
  int agents = 1000;
  int processes = 100;
  double interval_s = 10;
  int archives = 1;
  double duration_s = 60;
  double warmup_s = 10;
  int channels = 4;
  double timeout_s = 10;
  int register_threads = 4;
  std::vector<double> rates;  // samples/s offered per step; empty: one step at --interval
  double p99_limit_ms = 50;   // a step whose report p99 reaches it did not keep up
  int retries = 1;            // runs more of a step that did not keep up, before stopping
  double first_warmup_s = 15; // the first step's warm-up: the master's and the database's start
};

// One simulated agent. Touched only by the sending thread once registration is over.
struct SimAgent {
  std::string uuid;             // of the agent process, sent in Register
  std::string key;              // the agent's own key (x-asgard-agent-key), on every call
  int64_t agent_id = 0;
  std::string stream_uuid;
  int64_t seq = 0;              // last sequence sent
  int64_t runs_archived = 0;    // archives sent so far, for their run uuids
  int64_t first_app_id = 0;     // the agent's apps are first_app_id .. + processes - 1
  std::vector<std::string> run_uuids;  // current run of each app
  v1::ReportBatch batch;        // reused: only seq, times, values and archives change
};

// One Report in flight; owned by the completion queue's tag until its completion is taken.
struct Call {
  grpc::ClientContext ctx;
  v1::ReportAck ack;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<v1::ReportAck>> reader;
  SteadyClock::time_point sent;
  int64_t seq = 0;
  int samples = 0;
};

// What the completion thread gathers; read by the main thread only after joining it.
struct Results {
  std::vector<double> latency_ms;  // of every report sent inside the window and stored
  int64_t reports_in_window = 0;   // acked inside the window
  int64_t samples_in_window = 0;
  int64_t errors_in_window = 0;    // failed reports sent inside the window
  int64_t errors_total = 0;
  int64_t not_stored = 0;          // OK but stored_seq < seq
  std::map<std::string, int64_t> error_codes;
  std::string first_error;
};

std::string NewUuid(std::mt19937_64& rng) {
  uint64_t hi = rng(), lo = rng();
  hi = (hi & ~0xf000ULL) | 0x4000ULL;                      // version 4
  lo = (lo & ~(3ULL << 62)) | (2ULL << 62);                // variant 10
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08llx-%04llx-%04llx-%04llx-%012llx",
                (unsigned long long)(hi >> 32), (unsigned long long)((hi >> 16) & 0xffff),
                (unsigned long long)(hi & 0xffff), (unsigned long long)(lo >> 48),
                (unsigned long long)(lo & 0xffffffffffffULL));
  return buf;
}

double Seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

SteadyClock::duration FromSeconds(double s) {
  return std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(s));
}

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch()).count();
}

// A call of agent `a`: the agents' token and the agent's own key, as a real agent sends them.
void PrepareContext(grpc::ClientContext& ctx, const Options& o, const SimAgent& a) {
  if (!o.token.empty()) ctx.AddMetadata("authorization", "Bearer " + o.token);
  ctx.AddMetadata("x-asgard-agent-key", a.key);
  ctx.set_deadline(std::chrono::system_clock::now() + FromSeconds(o.timeout_s));
}

const char* CodeName(grpc::StatusCode code) {
  static constexpr const char* kNames[] = {
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
      "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
      "UNAUTHENTICATED"};
  auto i = static_cast<size_t>(code);
  return i < std::size(kNames) ? kNames[i] : "?";
}

std::string Describe(const grpc::Status& s) {
  return std::string(CodeName(s.error_code())) + ": " + s.error_message();
}

// Distinct connections, as distinct agents would have: a local subchannel pool per channel.
std::vector<std::unique_ptr<v1::Master::Stub>> Connect(const Options& o) {
  std::vector<std::unique_ptr<v1::Master::Stub>> stubs;
  for (int i = 0; i < o.channels; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto channel = grpc::CreateCustomChannel(o.target, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(5))) {
      std::fprintf(stderr, "ingest_load: cannot connect to the master at %s (no answer in 5 s)\n",
                   o.target.c_str());
      std::exit(2);
    }
    stubs.push_back(v1::Master::NewStub(channel));
  }
  return stubs;
}

void InitAgent(SimAgent& a, int index, const Options& o, std::mt19937_64& rng) {
  a.uuid = NewUuid(rng);
  a.key = NewUuid(rng) + NewUuid(rng);  // 72 characters; the master wants at least 32
  a.stream_uuid = NewUuid(rng);
  a.first_app_id = int64_t{index} * o.processes + 1;
  for (int j = 0; j < o.processes; ++j) a.run_uuids.push_back(NewUuid(rng));
  for (int j = 0; j < o.processes; ++j) {
    v1::MonitorSample* m = a.batch.add_monitors();
    m->mutable_ref()->set_kind(v1::TASK_KIND_APP);
    m->mutable_ref()->set_id(a.first_app_id + j);
    m->set_uuid(a.run_uuids[j]);
    m->set_pid(10000 + j);
  }
  a.batch.set_stream_uuid(a.stream_uuid);
}

// Registers agents first, first + step, ... on stub; returns "" or the first failure.
std::string RegisterSome(v1::Master::Stub& stub, std::vector<SimAgent>& agents, int first,
                         int step, const Options& o) {
  for (size_t i = first; i < agents.size(); i += step) {
    grpc::ClientContext ctx;
    PrepareContext(ctx, o, agents[i]);
    v1::RegisterRequest req;
    req.set_ip("127.0.0.1");
    req.set_port(20000 + static_cast<int>(i));
    req.set_uuid(agents[i].uuid);
    req.set_pid(getpid());
    req.set_version("ingest-bench");
    v1::RegisterResponse resp;
    grpc::Status s = stub.Register(&ctx, req, &resp);
    if (!s.ok()) return "Register of agent " + std::to_string(i) + " failed: " + Describe(s);
    if (resp.forbidden()) return "agent " + std::to_string(i) + " is forbidden by the master";
    agents[i].agent_id = resp.agent_id();
    agents[i].batch.set_agent_id(resp.agent_id());
  }
  return "";
}

void RegisterAll(std::vector<std::unique_ptr<v1::Master::Stub>>& stubs,
                 std::vector<SimAgent>& agents, const Options& o) {
  auto t0 = SteadyClock::now();
  std::vector<std::string> failures(o.register_threads);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < o.register_threads; ++t) {
      threads.emplace_back([&, t] {
        failures[t] = RegisterSome(*stubs[t % stubs.size()], agents, t, o.register_threads, o);
      });
    }
  }
  for (const std::string& f : failures) {
    if (f.empty()) continue;
    std::fprintf(stderr, "ingest_load: %s\n", f.c_str());
    std::exit(2);
  }
  std::fprintf(stderr, "ingest_load: registered %zu agents in %.2f s\n", agents.size(),
               Seconds(SteadyClock::now() - t0));
}

// Refreshes the reused batch for its next send: seq, sample values and times, new archives.
void NextBatch(SimAgent& a, const Options& o, std::mt19937_64& rng) {
  int64_t now = UnixNow();
  a.batch.set_seq(++a.seq);
  for (int j = 0; j < o.processes; ++j) {
    v1::MonitorSample* m = a.batch.mutable_monitors(j);
    m->set_cpu(static_cast<double>(rng() % 10000) / 100.0);
    m->set_memory(20.0 + static_cast<double>(rng() % 5000) / 10.0);
    m->set_threads(1 + static_cast<int>(rng() % 16));
    m->set_time(now);
  }
  a.batch.clear_archives();
  for (int k = 0; k < o.archives; ++k) {
    int j = static_cast<int>(a.runs_archived++ % o.processes);
    v1::RunArchive* r = a.batch.add_archives();
    r->mutable_ref()->set_kind(v1::TASK_KIND_APP);
    r->mutable_ref()->set_id(a.first_app_id + j);
    r->set_uuid(a.run_uuids[j]);
    r->set_pid(10000 + j);
    r->set_begin_time(now - static_cast<int64_t>(o.interval_s) - 1);
    r->set_end_time(now);
    r->set_status(static_cast<int>(rng() % 4 == 0));
    a.run_uuids[j] = NewUuid(rng);  // the app's next run
    a.batch.mutable_monitors(j)->set_uuid(a.run_uuids[j]);
  }
}

// Sends reports on schedule and takes their completions; see the file comment.
class LoadRun {
 public:
  LoadRun(const Options& o, std::vector<std::unique_ptr<v1::Master::Stub>>& stubs,
          std::vector<SimAgent>& agents)
      : o_(o), stubs_(stubs), agents_(agents) {}

  // Sends until the window is over, then waits for every call. The latencies are those of the
  // reports sent inside the window and stored; failed ones are counted apart (errors), since a
  // fast failure would flatter the percentiles.
  Results Run();
  // The sender's own lateness against the schedule, inside the window; valid after Run().
  const std::vector<double>& send_lag_ms() const { return send_lag_ms_; }

 private:
  void Send(size_t i, SteadyClock::time_point due);
  void Complete(Results& r);
  void Account(Results& r, const Call& call, SteadyClock::time_point done);
  void PaceUntil(SteadyClock::time_point t);
  void Progress(SteadyClock::time_point now);

  const Options& o_;
  std::vector<std::unique_ptr<v1::Master::Stub>>& stubs_;
  std::vector<SimAgent>& agents_;
  grpc::CompletionQueue cq_;
  std::mt19937_64 rng_{std::random_device{}()};
  SteadyClock::time_point t0_, w0_, w1_, next_progress_;
  bool measuring_ = false;  // sender thread only
  std::vector<double> send_lag_ms_;
  std::atomic<int64_t> in_flight_{0}, acked_samples_{0}, failed_{0};
};

void LoadRun::Send(size_t i, SteadyClock::time_point due) {
  SimAgent& a = agents_[i];
  NextBatch(a, o_, rng_);
  auto* call = new Call;
  PrepareContext(call->ctx, o_, a);
  call->seq = a.seq;
  call->samples = a.batch.monitors_size();
  call->sent = SteadyClock::now();
  if (measuring_) send_lag_ms_.push_back(Seconds(call->sent - due) * 1e3);
  // The request is serialized here, so the batch can be changed again right away.
  call->reader = stubs_[i % stubs_.size()]->PrepareAsyncReport(&call->ctx, a.batch, &cq_);
  call->reader->StartCall();
  in_flight_.fetch_add(1);
  call->reader->Finish(&call->ack, &call->status, call);
}

void LoadRun::Complete(Results& r) {
  void* tag = nullptr;
  bool ok = false;
  while (cq_.Next(&tag, &ok)) {
    std::unique_ptr<Call> call(static_cast<Call*>(tag));
    Account(r, *call, SteadyClock::now());
    in_flight_.fetch_sub(1);
  }
}

void LoadRun::Account(Results& r, const Call& call, SteadyClock::time_point done) {
  bool sent_in_window = call.sent >= w0_ && call.sent < w1_;
  // An OK answer that does not cover this seq means the batch was not stored.
  bool stored = call.status.ok() && call.ack.stored_seq() >= call.seq;
  if (stored) {
    if (sent_in_window) r.latency_ms.push_back(Seconds(done - call.sent) * 1e3);
    acked_samples_.fetch_add(call.samples);
    if (done >= w0_ && done < w1_) {
      ++r.reports_in_window;
      r.samples_in_window += call.samples;
    }
    return;
  }
  failed_.fetch_add(1);
  ++r.errors_total;
  r.errors_in_window += sent_in_window;
  r.not_stored += call.status.ok();
  ++r.error_codes[call.status.ok() ? "NOT_STORED" : CodeName(call.status.error_code())];
  if (!r.first_error.empty()) return;
  r.first_error = call.status.ok() ? "ack stored_seq " + std::to_string(call.ack.stored_seq()) +
                                         " < seq " + std::to_string(call.seq)
                                   : Describe(call.status);
}

void LoadRun::Progress(SteadyClock::time_point now) {
  if (now < next_progress_) return;
  next_progress_ += FromSeconds(o_.interval_s);
  std::fprintf(stderr, "ingest_load: t=%.0fs acked samples %lld, failed reports %lld, in flight %lld\n",
               Seconds(now - t0_), (long long)acked_samples_.load(), (long long)failed_.load(),
               (long long)in_flight_.load());
}

// Sleeps until t, announcing the start of the window on the way (bench/ingest.py waits for it).
void LoadRun::PaceUntil(SteadyClock::time_point t) {
  if (!measuring_ && t >= w0_) {
    std::this_thread::sleep_until(w0_);
    measuring_ = true;
    std::fprintf(stderr, "ingest_load: measuring %.0f s\n", o_.duration_s);
  }
  std::this_thread::sleep_until(t);
  Progress(t);
}

Results LoadRun::Run() {
  t0_ = SteadyClock::now();
  next_progress_ = t0_ + FromSeconds(o_.interval_s);
  w0_ = t0_ + FromSeconds(o_.warmup_s);
  w1_ = w0_ + FromSeconds(o_.duration_s);
  Results results;
  std::jthread completer([&] { Complete(results); });
  SteadyClock::duration interval = FromSeconds(o_.interval_s);
  size_t n = agents_.size();
  for (int64_t round = 0;; ++round) {
    SteadyClock::time_point round_start = t0_ + round * interval;
    if (round_start >= w1_) break;
    for (size_t i = 0; i < n; ++i) {
      SteadyClock::time_point due = round_start + interval * i / n;
      if (due >= w1_) break;
      PaceUntil(due);
      Send(i, due);
    }
  }
  PaceUntil(w1_);
  std::fprintf(stderr, "ingest_load: window over, waiting for %lld reports in flight\n",
               (long long)in_flight_.load());
  cq_.Shutdown();  // Next() still returns every pending completion; deadlines bound the wait
  completer.join();
  return results;
}

// Nearest rank, as bench/benchlib.py's pct.
double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  auto k = static_cast<long>(p / 100.0 * static_cast<double>(v.size()) + 0.5) - 1;
  return v[std::clamp<long>(k, 0, static_cast<long>(v.size()) - 1)];
}

nlohmann::json Figures(const Options& o, const Results& r, const std::vector<double>& lag) {
  double offered = static_cast<double>(o.agents) * o.processes / o.interval_s;
  nlohmann::json latency = {{"n", r.latency_ms.size()},
                            {"p50", Percentile(r.latency_ms, 50)},
                            {"p95", Percentile(r.latency_ms, 95)},
                            {"p99", Percentile(r.latency_ms, 99)},
                            {"max", Percentile(r.latency_ms, 100)}};
  return {{"target", o.target}, {"agents", o.agents}, {"processes", o.processes},
          {"interval_s", o.interval_s}, {"archives_per_report", o.archives},
          {"duration_s", o.duration_s}, {"warmup_s", o.warmup_s}, {"channels", o.channels},
          {"offered_samples_per_s", offered},
          {"samples_per_s", r.samples_in_window / o.duration_s},
          {"reports_per_s", r.reports_in_window / o.duration_s},
          {"latency_ms", latency}, {"errors", r.errors_in_window},
          {"errors_total", r.errors_total}, {"not_stored", r.not_stored},
          {"error_codes", r.error_codes}, {"first_error", r.first_error},
          {"send_lag_ms_p99", Percentile(lag, 99)}, {"send_lag_ms_max", Percentile(lag, 100)}};
}

// Whether the master kept up with the step: >= 99% of the offered samples stored inside the
// window (its edges cost a few reports), no failed report, report p99 under the limit.
bool KeptUp(const nlohmann::json& f, const Options& o) {
  return f["samples_per_s"].get<double>() >= 0.99 * f["offered_samples_per_s"].get<double>() &&
         f["errors"].get<int64_t>() == 0 && f["latency_ms"]["n"].get<size_t>() > 0 &&
         f["latency_ms"]["p99"].get<double>() < o.p99_limit_ms;
}

void PrintSummary(const nlohmann::json& f) {
  const auto& l = f["latency_ms"];
  std::printf("ingest: %d agents x %d processes every %g s (+%d archives per report), "
              "%d channels; offered %.0f samples/s\n",
              f["agents"].get<int>(), f["processes"].get<int>(), f["interval_s"].get<double>(),
              f["archives_per_report"].get<int>(), f["channels"].get<int>(),
              f["offered_samples_per_s"].get<double>());
  std::printf("measured %g s after %g s of warm-up\n", f["duration_s"].get<double>(),
              f["warmup_s"].get<double>());
  std::printf("  samples/s sustained  %.1f\n", f["samples_per_s"].get<double>());
  std::printf("  reports/s            %.2f\n", f["reports_per_s"].get<double>());
  std::printf("  report latency ms    p50 %.2f  p95 %.2f  p99 %.2f  max %.2f  (n=%zu)\n",
              l["p50"].get<double>(), l["p95"].get<double>(), l["p99"].get<double>(),
              l["max"].get<double>(), l["n"].get<size_t>());
  std::printf("  errors               %lld in the window (%lld in all)%s%s\n",
              f["errors"].get<long long>(), f["errors_total"].get<long long>(),
              f["first_error"].get<std::string>().empty() ? "" : "; first: ",
              f["first_error"].get<std::string>().c_str());
  std::printf("  generator send lag   p99 %.2f ms, max %.2f ms\n",
              f["send_lag_ms_p99"].get<double>(), f["send_lag_ms_max"].get<double>());
  std::printf("  kept up              %s\n", f["kept_up"].get<bool>() ? "yes" : "no");
  std::printf("%s\n", f.dump().c_str());
}

int ParseFlags(int argc, char** argv, Options& o) {
  CLI::App app{"Ingest load generator: N simulated agents reporting to one Asgard master."};
  app.option_defaults()->always_capture_default();
  app.add_option("--target", o.target, "Master address host:port")->required();
  app.add_option("--token", o.token, "rpc.token of the master (\"\" = none)");
  app.add_option("--agents", o.agents, "Simulated agents")->check(CLI::PositiveNumber);
  app.add_option("--processes", o.processes, "Monitor samples per report")->check(CLI::PositiveNumber);
  app.add_option("--interval", o.interval_s, "Seconds between an agent's reports")
      ->check(CLI::PositiveNumber);
  app.add_option("--archives-per-report", o.archives, "Run archives per report")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--duration", o.duration_s, "Measured seconds")->check(CLI::PositiveNumber);
  app.add_option("--warmup", o.warmup_s, "Seconds of load before the window")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--channels", o.channels, "gRPC connections shared by the agents")
      ->check(CLI::PositiveNumber);
  app.add_option("--timeout", o.timeout_s, "Deadline of each call, seconds")
      ->check(CLI::PositiveNumber);
  app.add_option("--rates", o.rates,
                 "Samples/s offered, step by step, until the master does not keep up "
                 "(replaces --interval)")
      ->delimiter(',')
      ->check(CLI::PositiveNumber);
  app.add_option("--p99-limit-ms", o.p99_limit_ms, "A step keeps up with its report p99 below it")
      ->check(CLI::PositiveNumber);
  app.add_option("--retries", o.retries, "More runs of a step that did not keep up")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--first-warmup", o.first_warmup_s,
                 "Warm-up of the first step (start-up), seconds; at least --warmup")
      ->check(CLI::NonNegativeNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;  // --help is not a failure
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (int rc = ParseFlags(argc, argv, o); rc >= 0) return rc;
  o.channels = std::min(o.channels, o.agents);
  o.register_threads = std::min(o.register_threads, o.agents);
  auto stubs = Connect(o);
  std::vector<SimAgent> agents(o.agents);
  std::mt19937_64 rng{std::random_device{}()};
  for (int i = 0; i < o.agents; ++i) InitAgent(agents[i], i, o, rng);
  RegisterAll(stubs, agents, o);
  std::vector<double> rates = o.rates;
  if (rates.empty()) rates.push_back(o.agents * o.processes / o.interval_s);
  nlohmann::json steps = nlohmann::json::array(), ceiling = nullptr;
  bool stored_any = false;
  for (size_t step = 0; step < rates.size(); ++step) {
    bool kept_up = false;
    for (int attempt = 0; attempt <= o.retries && !kept_up; ++attempt) {
      Options at = o;
      at.interval_s = o.agents * o.processes / rates[step];
      // The first window should not measure start-up: the agents' registration, the master
      // marking them offline (they send no heartbeat), a fresh database's first tables.
      if (step == 0 && attempt == 0) at.warmup_s = std::max(o.warmup_s, o.first_warmup_s);
      std::fprintf(stderr, "ingest_load: step %zu, %.0f samples/s offered (every agent every %.3g s)\n",
                   step + 1, rates[step], at.interval_s);
      LoadRun run(at, stubs, agents);
      Results results = run.Run();
      stored_any = stored_any || !results.latency_ms.empty();
      nlohmann::json f = Figures(at, results, run.send_lag_ms());
      kept_up = KeptUp(f, o);
      f["step"] = step + 1;
      f["attempt"] = attempt + 1;
      f["kept_up"] = kept_up;
      PrintSummary(f);
      steps.push_back(f);
      if (kept_up) ceiling = f;
    }
    if (!kept_up) break;
  }
  std::printf("%s\n", nlohmann::json{{"steps", steps}, {"ceiling", ceiling}}.dump().c_str());
  return stored_any ? 0 : 1;  // 1: not one report of any window stored
}
