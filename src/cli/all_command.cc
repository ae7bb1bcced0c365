// `asgard all`: web + master + agent in one process on the embedded SQLite store, the
// newcomer's one command. The roles are composed here, above them: the agent talks to the
// master, and the web node to the agent, through in-process channels.
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <memory>

#include "agent/agent_role.h"
#include "cli/commands.h"
#include "master/master_role.h"
#include "rpc/task_definition.h"
#include "spdlog/spdlog.h"
#include "standalone/role_setup.h"
#include "store/store.h"
#include "web/web_role.h"

namespace asgard::cli {

int RunAll(const std::string& conf_dir) {
  struct stat st {};
  const bool have_file = stat((conf_dir + "/app.yaml").c_str(), &st) == 0;
  auto loaded = standalone::SetupRole("all", conf_dir, {.defaults_when_missing = true});
  if (!loaded.ok()) {
    std::cerr << "asgard all: " << loaded.status().message() << std::endl;
    return standalone::RoleSetupExitCode(loaded.status());
  }
  if (!loaded->tasks.empty()) {
    std::cerr << "note: the app:, cron: and timing: lists of " << conf_dir
              << "/app.yaml are for `asgard guard` and `asgard cron`; `asgard all` runs the "
                 "tasks created in its web console"
              << std::endl;
  }
  // Keys, unless set, are the secrets generated into runtime_dir (rpc/credentials.h).
  auto cfg = std::make_unique<config::Config>(std::move(*loaded));
  if (!have_file) {
    cfg->master.port = 0;
    cfg->agent.rpc_port = 0;
  }
  cfg->master.ip = "127.0.0.1";
  if (cfg->agent.rpc_ip.empty()) cfg->agent.rpc_ip = "127.0.0.1";
  auto store = store::Store::Open(standalone::AsgardDb(*cfg), cfg->runtime_dir);
  if (!store.ok()) return standalone::RoleFailure("all", "store: " + std::string(store.status().message()));
  rpc::LogImportedRootTasks(**store);
  auto master = master::MasterNode::Start(**store, *cfg);
  if (!master.ok()) {
    return standalone::RoleFailure("all", std::string(master.status().message()),
                                   standalone::RoleSetupExitCode(master.status()));
  }
  const std::string& maddr = (*master)->address();
  cfg->agent.master_ip = maddr.substr(0, maddr.rfind(':'));
  cfg->agent.master_port = std::stoi(maddr.substr(maddr.rfind(':') + 1));
  auto web = web::WebNode::Start(**store, *cfg, "127.0.0.1");
  if (!web.ok()) return standalone::RoleFailure("all", std::string(web.status().message()));
  web::AnnounceWeb(cfg->runtime_dir, (*web)->address());
  if (auto d = (*store)->AdminPasswordIsDefault(); d.ok() && *d) {
    std::cout << "log in as admin / 123456 (you will be asked to change it)" << std::endl;
  }
  // The parts of one process talk in process; their loopback listeners serve other local
  // roles only (with the secrets of runtime_dir).
  agent::InProcess in_process;
  in_process.master = (*master)->InProcessChannel();
  web::WebNode* web_node = web->get();
  in_process.on_serving = [web_node](const std::string& address,
                                     std::shared_ptr<grpc::Channel> channel) {
    web_node->UseLocalAgent(address, std::move(channel));
  };
  int code = agent::RunAgentWith(*cfg, std::move(in_process));  // until a stop signal
  (*web)->Stop();
  (*master)->Stop();
  unlink((cfg->runtime_dir + "/web.addr").c_str());
  return code;
}

}  // namespace asgard::cli
