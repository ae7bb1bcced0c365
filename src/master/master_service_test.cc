// The master service in process, over a real SQLite store and a real loopback gRPC server.
#include "master/master_service.h"

#include <stdlib.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "master/master_probe.h"
#include "nlohmann/json.hpp"
#include "rpc/auth.h"
#include "rpc/endpoint.h"
#include "store/forwarding_store_for_test.h"

namespace asgard::master {
namespace {

constexpr char kToken[] = "secret-token";

// The real store, except that while broken the writes of an agent's reports and observed
// state, and the agents' count, fail with the given error and write nothing (the database
// went away).
class FlakyStore final : public store::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;

  void Break(absl::Status error) {
    absl::MutexLock lock(&mu_);
    error_ = std::move(error);
  }
  void Heal() { Break(absl::OkStatus()); }

  absl::StatusOr<int> InsertReport(const std::vector<store::ArchiveRecord>& archives,
                                   const std::vector<store::ExceptionRecord>& exceptions,
                                   const std::vector<store::MonitorSample>& monitors,
                                   store::FreshRecords* fresh) override {
    if (absl::Status error = Error(); !error.ok()) return error;
    return ForwardingStore::InsertReport(archives, exceptions, monitors, fresh);
  }
  absl::Status RecordObserved(int64_t agent_id, const std::vector<store::ObservedReport>& reports,
                              absl::Time now) override {
    if (absl::Status error = Error(); !error.ok()) return error;
    return ForwardingStore::RecordObserved(agent_id, reports, now);
  }
  absl::StatusOr<std::map<int, int64_t>> CountAgentsByStatus() override {
    if (absl::Status error = Error(); !error.ok()) return error;
    return ForwardingStore::CountAgentsByStatus();
  }

 private:
  absl::Status Error() {
    absl::MutexLock lock(&mu_);
    return error_;
  }

  absl::Mutex mu_;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
};

class MasterServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/asgard-master-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    auto store = store::Store::Open(config::DbConfig{}, dir_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    flaky_ = std::make_unique<FlakyStore>(*store_);
    MasterOptions options;
    options.name = "test-master";
    options.token = kToken;
    options.offline_after = absl::Seconds(7);
    options.now = [this] { return now_; };
    service_ = std::make_unique<MasterService>(*flaky_, options);  // flaky_: store_ until broken
    config::Config cfg;
    cfg.rpc_token = kToken;
    auto server = rpc::StartServer({"127.0.0.1", 0, "master"}, cfg, {service_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::Master::NewStub(
        grpc::CreateChannel(server_.address, grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (server_.server) server_.server->Shutdown();
    std::string cmd = "rm -rf '" + dir_ + "'";
    (void)system(cmd.c_str());
  }

  // Each test agent's own key (runtime/agent.key on a real agent).
  static std::string KeyFor(int port) { return "agent-key-of-port-" + std::to_string(port) + std::string(32, 'k'); }

  std::unique_ptr<grpc::ClientContext> Ctx(const std::string& key = KeyFor(27149),
                                           const std::string& token = kToken) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    rpc::AttachToken(*ctx, token);
    ctx->AddMetadata(rpc::kAgentKeyMetadata, key);
    return ctx;
  }

  int64_t RegisterAgent(int port = 27149) {
    v1::RegisterRequest req;
    req.set_ip("127.0.0.1");
    req.set_port(port);
    req.set_uuid("agent-uuid");
    req.set_pid(99);
    v1::RegisterResponse resp;
    auto s = stub_->Register(Ctx(KeyFor(port)).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.agent_id();
  }

  // An app "web" on `agent`, as the web node would store it.
  store::Task AddApp(int64_t agent, store::Desired desired) {
    store::TaskInput in;
    in.name = "web";
    in.agent_id = agent;
    in.program = "sleep";
    in.desired = desired;
    auto task = store_->CreateTask(store::TaskKind::kApp, in, 1);
    EXPECT_TRUE(task.ok()) << task.status();
    return task.value_or(store::Task{});
  }

  // A full heartbeat of `agent` saying that app `app_id` is running.
  static v1::HeartbeatRequest FullStateRunning(int64_t agent, int64_t app_id) {
    v1::HeartbeatRequest hb;
    hb.set_agent_id(agent);
    hb.set_full(true);
    auto* t = hb.add_tasks();
    t->mutable_ref()->set_kind(v1::TASK_KIND_APP);
    t->mutable_ref()->set_id(app_id);
    t->set_state("running");
    return hb;
  }

  absl::Time now_ = absl::FromUnixSeconds(1'800'000'000);
  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<FlakyStore> flaky_;  // over store_
  std::unique_ptr<MasterService> service_;
  rpc::ListeningServer server_;
  std::unique_ptr<v1::Master::Stub> stub_;
};

TEST_F(MasterServiceTest, RegisterRecordsTheAgentOnline) {
  int64_t id = RegisterAgent();
  ASSERT_GT(id, 0);
  auto agent = store_->GetAgent(id);
  ASSERT_TRUE(agent.ok());
  EXPECT_EQ(agent->status, store::kAgentOnline);
  EXPECT_EQ(agent->master, "test-master");
  EXPECT_EQ(agent->port, "27149");
}

TEST_F(MasterServiceTest, WrongOrMissingTokenIsUnauthenticated) {
  v1::RegisterRequest req;
  req.set_ip("127.0.0.1");
  req.set_port(1);
  v1::RegisterResponse resp;
  EXPECT_EQ(stub_->Register(Ctx(KeyFor(1), "wrong").get(), req, &resp).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  grpc::ClientContext bare;
  EXPECT_EQ(stub_->Register(&bare, req, &resp).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  auto agents = store_->ListAgents();
  ASSERT_TRUE(agents.ok());
  EXPECT_TRUE(agents->empty());  // nothing changed
}

TEST_F(MasterServiceTest, HeartbeatAsksForFullStateUntilItArrives) {
  int64_t id = RegisterAgent();
  v1::HeartbeatRequest hb;
  hb.set_agent_id(id);
  v1::HeartbeatResponse resp;
  ASSERT_TRUE(stub_->Heartbeat(Ctx().get(), hb, &resp).ok());
  EXPECT_TRUE(resp.send_full());
  hb.set_full(true);
  ASSERT_TRUE(stub_->Heartbeat(Ctx().get(), hb, &resp).ok());
  EXPECT_FALSE(resp.send_full());
  hb.set_full(false);
  ASSERT_TRUE(stub_->Heartbeat(Ctx().get(), hb, &resp).ok());
  EXPECT_FALSE(resp.send_full());
}

TEST_F(MasterServiceTest, SilentAgentGoesOfflineAndIsAskedForFullStateOnReturn) {
  int64_t id = RegisterAgent();
  const store::Task task = AddApp(id, store::Desired::kRun);
  ASSERT_GT(task.id, 0);
  v1::HeartbeatRequest hb = FullStateRunning(id, task.id);
  hb.mutable_tasks(0)->set_pid(4242);
  v1::HeartbeatResponse resp;
  ASSERT_TRUE(stub_->Heartbeat(Ctx().get(), hb, &resp).ok());
  EXPECT_EQ(store_->GetTask(store::TaskKind::kApp, task.id)->observed.state, "running");

  now_ += absl::Seconds(6);
  service_->SweepOffline();
  EXPECT_EQ(store_->GetAgent(id)->status, store::kAgentOnline);
  now_ += absl::Seconds(2);
  service_->SweepOffline();
  EXPECT_EQ(store_->GetAgent(id)->status, store::kAgentOffline);
  auto after = store_->GetTask(store::TaskKind::kApp, task.id);
  EXPECT_EQ(after->observed.state, "unknown");
  EXPECT_EQ(after->desired, store::Desired::kRun);  // desired untouched

  hb.set_full(false);
  hb.clear_tasks();
  ASSERT_TRUE(stub_->Heartbeat(Ctx().get(), hb, &resp).ok());
  EXPECT_TRUE(resp.send_full());
  EXPECT_EQ(store_->GetAgent(id)->status, store::kAgentOnline);
}

TEST_F(MasterServiceTest, ARestartedMasterGivesAgentsOneOfflineIntervalToBeat) {
  int64_t id = RegisterAgent(1001);
  now_ += absl::Seconds(60);  // the master was down a minute; the store still says online
  MasterOptions options;
  options.offline_after = absl::Seconds(7);
  options.now = [this] { return now_; };
  MasterService restarted(*store_, options);
  now_ += absl::Seconds(1);
  restarted.SweepOffline();
  EXPECT_EQ(store_->GetAgent(id)->status, store::kAgentOnline);  // no flood of offline alerts
  now_ += absl::Seconds(6);
  restarted.SweepOffline();
  EXPECT_EQ(store_->GetAgent(id)->status, store::kAgentOffline);  // it never came back
}

TEST_F(MasterServiceTest, AssignmentListsTheAgentsTasksWithDesiredState) {
  int64_t a = RegisterAgent(1001);
  int64_t b = RegisterAgent(1002);
  store::TaskInput in;
  in.name = "web";
  in.agent_id = a;
  in.program = "sleep";
  in.desired = store::Desired::kRun;
  ASSERT_TRUE(store_->CreateTask(store::TaskKind::kApp, in, 1).ok());
  in.name = "other";
  in.agent_id = b;
  ASSERT_TRUE(store_->CreateTask(store::TaskKind::kApp, in, 1).ok());
  v1::PullAssignmentRequest req;
  req.set_agent_id(a);
  v1::Assignment resp;
  ASSERT_TRUE(stub_->PullAssignment(Ctx(KeyFor(1001)).get(), req, &resp).ok());
  ASSERT_EQ(resp.tasks_size(), 1);
  EXPECT_EQ(resp.tasks(0).name(), "web");
  EXPECT_EQ(resp.tasks(0).desired(), v1::DESIRED_RUN);
  EXPECT_GT(resp.version(), 0);
  EXPECT_FALSE(resp.more());
}

// Issue 9: root on one agent host holds the agents' token; with it alone it cannot read
// another agent's assignment, beat for it or report for it.
TEST_F(MasterServiceTest, AnAgentActsOnlyForItself) {
  int64_t a = RegisterAgent(1001);
  int64_t b = RegisterAgent(1002);
  store::TaskInput in;
  in.name = "secret";
  in.agent_id = b;
  in.program = "sleep";
  in.env = {{"PASSWORD", "hunter2"}};
  ASSERT_TRUE(store_->CreateTask(store::TaskKind::kApp, in, 1).ok());
  auto as_a = [&] { return Ctx(KeyFor(1001)); };
  v1::PullAssignmentRequest pull;
  pull.set_agent_id(b);
  v1::Assignment assignment;
  EXPECT_EQ(stub_->PullAssignment(as_a().get(), pull, &assignment).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(assignment.tasks_size(), 0);
  v1::HeartbeatRequest hb;
  hb.set_agent_id(b);
  v1::HeartbeatResponse hb_resp;
  EXPECT_EQ(stub_->Heartbeat(as_a().get(), hb, &hb_resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ReportBatch batch;
  batch.set_agent_id(b);
  batch.set_stream_uuid("forged");
  batch.set_seq(1);
  batch.add_exceptions()->set_desc("forged alert");
  v1::ReportAck ack;
  EXPECT_EQ(stub_->Report(as_a().get(), batch, &ack).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(store_->ListExceptions(10)->empty());
  // Without any key, even for itself.
  grpc::ClientContext no_key;
  rpc::AttachToken(no_key, kToken);
  hb.set_agent_id(a);
  EXPECT_EQ(stub_->Heartbeat(&no_key, hb, &hb_resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Nor can it take over b's address by registering with its own key.
  v1::RegisterRequest reg;
  reg.set_ip("127.0.0.1");
  reg.set_port(1002);
  reg.set_uuid("impostor");
  v1::RegisterResponse reg_resp;
  EXPECT_EQ(stub_->Register(as_a().get(), reg, &reg_resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(store_->GetAgent(b)->uuid, "agent-uuid");
}

// Issue 9: no message grows with the number of tasks: the assignment comes in pages, and a
// change between pages makes the agent start over.
TEST_F(MasterServiceTest, AssignmentComesInPages) {
  int64_t a = RegisterAgent(1001);
  store::TaskInput in;
  in.agent_id = a;
  in.program = "sleep";
  const int n = kAssignmentPageTasks + 5;
  for (int i = 0; i < n; ++i) {
    in.name = "t" + std::to_string(i);
    ASSERT_TRUE(store_->CreateTask(i % 2 ? store::TaskKind::kApp : store::TaskKind::kJob, in, 1)
                    .ok());
  }
  v1::PullAssignmentRequest req;
  req.set_agent_id(a);
  std::set<std::pair<int, int64_t>> seen;
  int pages = 0;
  int64_t version = 0;
  while (true) {
    v1::Assignment page;
    ASSERT_TRUE(stub_->PullAssignment(Ctx(KeyFor(1001)).get(), req, &page).ok());
    ++pages;
    if (pages == 1) version = page.version();
    for (const auto& t : page.tasks()) {
      EXPECT_TRUE(seen.insert({t.ref().kind(), t.ref().id()}).second) << "listed twice";
    }
    if (!page.more()) break;
    *req.mutable_after() = page.tasks(page.tasks_size() - 1).ref();
    req.set_version(version);
  }
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(static_cast<int>(seen.size()), n);
  // A change in between: ABORTED, the agent pulls again from the first page.
  in.name = "late";
  ASSERT_TRUE(store_->CreateTask(store::TaskKind::kApp, in, 1).ok());
  v1::Assignment page;
  EXPECT_EQ(stub_->PullAssignment(Ctx(KeyFor(1001)).get(), req, &page).error_code(),
            grpc::StatusCode::ABORTED);
}

TEST_F(MasterServiceTest, AFullStateInSeveralCallsCountsWhenTheLastArrives) {
  int64_t id = RegisterAgent();
  v1::HeartbeatRequest hb;
  hb.set_agent_id(id);
  hb.set_full(true);
  hb.set_more(true);
  v1::HeartbeatResponse resp;
  ASSERT_TRUE(stub_->Heartbeat(Ctx().get(), hb, &resp).ok());
  EXPECT_FALSE(resp.send_full());  // the rest is on its way
  hb.set_more(false);
  ASSERT_TRUE(stub_->Heartbeat(Ctx().get(), hb, &resp).ok());
  EXPECT_FALSE(resp.send_full());
  hb.set_full(false);
  ASSERT_TRUE(stub_->Heartbeat(Ctx().get(), hb, &resp).ok());
  EXPECT_FALSE(resp.send_full());
}

TEST_F(MasterServiceTest, ResentReportIsStoredOnce) {
  int64_t id = RegisterAgent();
  v1::ReportBatch batch;
  batch.set_agent_id(id);
  batch.set_stream_uuid("stream-a");
  batch.set_seq(1);
  auto* arc = batch.add_archives();
  arc->mutable_ref()->set_kind(v1::TASK_KIND_APP);
  arc->mutable_ref()->set_id(5);
  arc->set_uuid("run-1");
  arc->set_end_time(1'800'000'000);
  batch.add_exceptions()->set_desc("start fail: no such file");
  auto* m = batch.add_monitors();
  m->set_cpu(1.5);
  m->set_time(1'800'000'000);
  v1::ReportAck ack;
  ASSERT_TRUE(stub_->Report(Ctx().get(), batch, &ack).ok());
  EXPECT_EQ(ack.stored_seq(), 1);
  ASSERT_TRUE(stub_->Report(Ctx().get(), batch, &ack).ok());
  EXPECT_EQ(store_->ListArchives(2, 5, 100)->size(), 1u);
  EXPECT_EQ(store_->ListExceptions(100)->size(), 1u);
  auto samples = store_->QueryMonitors(1, id, absl::FromUnixSeconds(1'799'999'000),
                                       absl::FromUnixSeconds(1'800'001'000), 100);
  ASSERT_TRUE(samples.ok()) << samples.status();
  EXPECT_EQ(samples->size(), 1u);
}

// The agent keeps a report in its spool until the master acknowledges it: when the store cannot
// take it, the answer is UNAVAILABLE (retry as is), with no acknowledgement, and the report sent
// again once the store is back is stored.
TEST_F(MasterServiceTest, AReportTheStoreCannotTakeIsUnavailableAndNotAcknowledged) {
  int64_t id = RegisterAgent();
  v1::ReportBatch batch;
  batch.set_agent_id(id);
  batch.set_stream_uuid("stream-a");
  batch.set_seq(1);
  batch.add_exceptions()->set_desc("start fail: no such file");
  flaky_->Break(absl::UnavailableError("database unreachable"));
  v1::ReportAck ack;
  grpc::Status s = stub_->Report(Ctx().get(), batch, &ack);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_EQ(ack.stored_seq(), 0);
  EXPECT_TRUE(store_->ListExceptions(100)->empty());

  flaky_->Heal();
  ASSERT_TRUE(stub_->Report(Ctx().get(), batch, &ack).ok());
  EXPECT_EQ(ack.stored_seq(), 1);
  EXPECT_EQ(store_->ListExceptions(100)->size(), 1u);
}

// A full observed state the store could not record does not count as arrived: the heartbeat
// fails (UNAVAILABLE), and the next one asks for the full state again.
TEST_F(MasterServiceTest, AFullStateTheStoreCannotRecordIsAskedForAgain) {
  int64_t id = RegisterAgent();
  const store::Task task = AddApp(id, store::Desired::kPause);
  ASSERT_GT(task.id, 0);
  v1::HeartbeatRequest hb = FullStateRunning(id, task.id);
  flaky_->Break(absl::UnavailableError("database unreachable"));
  v1::HeartbeatResponse resp;
  grpc::Status s = stub_->Heartbeat(Ctx().get(), hb, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  EXPECT_NE(store_->GetTask(store::TaskKind::kApp, task.id)->observed.state, "running");

  flaky_->Heal();
  v1::HeartbeatRequest beat;
  beat.set_agent_id(id);
  ASSERT_TRUE(stub_->Heartbeat(Ctx().get(), beat, &resp).ok());
  EXPECT_TRUE(resp.send_full());
}

// What master.metrics_port shows: the calls the service took, the store's failures counted,
// and /health degraded while the store does not answer.
TEST_F(MasterServiceTest, ProbeCountsCallsAndIsDegradedWhileTheStoreIsAway) {
  int64_t id = RegisterAgent();
  v1::HeartbeatRequest beat;
  beat.set_agent_id(id);
  v1::HeartbeatResponse hb;
  ASSERT_TRUE(stub_->Heartbeat(Ctx().get(), beat, &hb).ok());
  v1::ReportBatch batch;
  batch.set_agent_id(id);
  batch.set_stream_uuid("stream-a");
  batch.set_seq(1);
  batch.add_exceptions()->set_desc("start fail: no such file");
  v1::ReportAck ack;
  ASSERT_TRUE(stub_->Report(Ctx().get(), batch, &ack).ok());
  const probe::ProbeSources sources =
      MasterProbeSources(*flaky_, service_->counters(), "127.0.0.1:9527");

  probe::ProbeAnswer health = probe::AnswerHealth("master", sources);
  EXPECT_EQ(health.status, 200) << health.body;
  auto json = nlohmann::json::parse(health.body);
  EXPECT_EQ(json["store_reachable"], true);
  EXPECT_EQ(json["agents_online"], 1);
  EXPECT_EQ(json["address"], "127.0.0.1:9527");

  flaky_->Break(absl::UnavailableError("database unreachable"));
  batch.set_seq(2);
  EXPECT_FALSE(stub_->Report(Ctx().get(), batch, &ack).ok());
  health = probe::AnswerHealth("master", sources);
  EXPECT_EQ(health.status, 503) << health.body;
  json = nlohmann::json::parse(health.body);
  EXPECT_EQ(json["status"], "degraded");
  EXPECT_EQ(json["store_reachable"], false);

  std::string metrics = probe::AnswerMetrics(sources).body;
  for (const char* line : {"asgard_master_registrations_total 1\n",
                           "asgard_master_heartbeats_total 1\n", "asgard_master_reports_total 1\n",
                           "asgard_master_report_items_total{kind=\"exception\"} 1\n",
                           "asgard_master_records_stored_total 1\n",
                           "asgard_master_store_errors_total 1\n", "asgard_master_store_up 0\n"}) {
    EXPECT_NE(metrics.find(line), std::string::npos) << line << " in\n" << metrics;
  }
  flaky_->Heal();
  metrics = probe::AnswerMetrics(sources).body;
  EXPECT_NE(metrics.find("asgard_master_agents{status=\"online\"} 1\n"), std::string::npos)
      << metrics;
  EXPECT_EQ(probe::AnswerHealth("master", sources).status, 200);
}

TEST_F(MasterServiceTest, ReportWithoutAgentIsRefused) {
  v1::ReportBatch batch;
  batch.set_stream_uuid("s");
  batch.set_seq(1);
  v1::ReportAck ack;
  EXPECT_EQ(stub_->Report(Ctx().get(), batch, &ack).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace asgard::master
