// Every method of every gRPC service (asgard.v1.Master, asgard.v1.Agent), found from the
// service descriptors so that a method added later is covered too, is called without a token
// and with a wrong one and must answer UNAUTHENTICATED; every agent method also refuses the
// agents' own token, which root on any agent host holds (issue 9). The real services run on
// loopback servers: the master over a SQLite store, the agent over a fake launcher.
#include <future>
#include <thread>

#include "agent/agent_service.h"
#include "agent/task_host.h"
#include "asgard/v1/agent.grpc.pb.h"
#include "asgard/v1/master.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "master/master_service.h"
#include "rpc/auth.h"
#include "rpc/endpoint.h"
#include "testing/fake_launcher.h"

namespace asgard::agent {
namespace {

constexpr char kToken[] = "the-right-token";              // agents -> master
constexpr char kControl[] = "the-control-token-of-web-nodes";  // web -> agents

class NoFired final : public runtime::FiredStore {
 public:
  bool WasFired(const std::string&, WallTime) const override { return false; }
  absl::Status MarkFired(const std::string&, WallTime) override { return absl::OkStatus(); }
};

grpc::Status CallByName(grpc::GenericStub& stub, const std::string& method,
                        const std::string& token) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  rpc::AttachToken(ctx, token);
  grpc::Slice empty("");  // an empty message parses as any request type
  grpc::ByteBuffer request(&empty, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  return done.get_future().get();
}

class RpcAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/asgard-auth-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    auto store = store::Store::Open(config::DbConfig{}, dir_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    master_ = std::make_unique<master::MasterService>(
        *store_, master::MasterOptions{.name = "m", .token = kToken});
    loop_ = *EventLoop::Create();
    host_ = std::make_unique<TaskHost>(*loop_, launcher_, std::make_unique<NoFired>());
    auto control = rpc::ControlVerifier::FromHash(rpc::HashControlToken(kControl).value());
    ASSERT_TRUE(control.ok()) << control.status();
    agent_ = std::make_unique<AgentService>(*loop_, *host_,
                                           AgentServiceOptions{.control = std::move(*control)});
    loop_thread_ = std::thread([this] { loop_->Run(); });
    config::Config cfg;
    cfg.rpc_token = kToken;
    auto server = rpc::StartServer({"127.0.0.1", 0, "test"}, cfg, {master_.get(), agent_.get()});
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    channel_ = grpc::CreateChannel(server_.address, grpc::InsecureChannelCredentials());
  }
  void TearDown() override {
    if (server_.server) server_.server->Shutdown();
    loop_->Stop();
    if (loop_thread_.joinable()) loop_thread_.join();
    std::string cmd = "rm -rf '" + dir_ + "'";
    (void)system(cmd.c_str());
  }

  // "/asgard.v1.Master/Register", ... for the named services.
  static std::vector<std::string> Methods(const std::vector<const char*>& services) {
    std::vector<std::string> out;
    for (const char* name : services) {
      const auto* service =
          google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
      EXPECT_NE(service, nullptr) << name;
      if (!service) continue;
      for (int i = 0; i < service->method_count(); ++i) {
        out.push_back("/" + service->full_name() + "/" + service->method(i)->name());
      }
    }
    return out;
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<master::MasterService> master_;
  testing::FakeLauncher launcher_;
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<TaskHost> host_;
  std::unique_ptr<AgentService> agent_;
  std::thread loop_thread_;
  rpc::ListeningServer server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(RpcAuthTest, EveryMethodRefusesMissingAndWrongTokens) {
  auto methods = Methods({"asgard.v1.Master", "asgard.v1.Agent"});
  ASSERT_GE(methods.size(), 17u);  // 4 master + 13 agent methods today
  grpc::GenericStub stub(channel_);
  for (const std::string& method : methods) {
    for (const std::string token : {"", "wrong-token", "the-right-token-but-longer",
                                    "the-control-token-of-web-nodes-but-longer"}) {
      grpc::Status s = CallByName(stub, method, token);
      EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED)
          << method << " with token '" << token << "': " << s.error_message();
    }
  }
  auto agents = store_->ListAgents();
  ASSERT_TRUE(agents.ok());
  EXPECT_TRUE(agents->empty()) << "a refused call changed the store";
}

TEST_F(RpcAuthTest, AgentsOwnTokenControlsNoAgent) {
  grpc::GenericStub stub(channel_);
  for (const std::string& method : Methods({"asgard.v1.Agent"})) {
    grpc::Status s = CallByName(stub, method, kToken);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << method;
  }
  EXPECT_TRUE(host_->Snapshot().tasks().empty());
}

TEST_F(RpcAuthTest, TheRightTokenGetsPastTheCheck) {
  grpc::GenericStub stub(channel_);
  for (const std::string& method : Methods({"asgard.v1.Master", "asgard.v1.Agent"})) {
    if (method.find("FollowLog") != std::string::npos) continue;  // a stream: would not end
    bool agent = method.find("asgard.v1.Agent/") != std::string::npos;
    grpc::Status s = CallByName(stub, method, agent ? kControl : kToken);
    EXPECT_NE(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << method;
  }
}

}  // namespace
}  // namespace asgard::agent
