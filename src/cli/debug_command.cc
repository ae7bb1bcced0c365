// `asgard debug mail -r ADDR` (the original's command and messages) and `asgard debug webhook`:
// send one test message through the configured channel, to check a server, a login or a robot
// before a real failure needs it.
#include <iostream>

#include "cli/commands.h"
#include "config/config.h"
#include "notify/mail.h"
#include "notify/notify_config.h"
#include "notify/webhook.h"

namespace asgard::cli {
namespace {

// app.yaml of `conf_dir`, its warnings on stderr; nullopt (message printed) when unusable.
std::optional<config::Config> LoadForDebug(const std::string& conf_dir) {
  auto loaded = config::LoadConfigFile(conf_dir + "/app.yaml");
  if (!loaded.ok()) {
    std::cerr << "asgard debug: " << loaded.status().message() << std::endl;
    return std::nullopt;
  }
  for (const std::string& w : loaded->warnings) std::cerr << "warning: " << w << std::endl;
  return loaded->config;
}

int DebugMail(const DebugFlags& flags) {
  auto receivers = notify::SplitReceivers(flags.receiver);
  if (receivers.empty()) {
    std::cerr << "receiver can not be empty!" << std::endl;
    return kExitUsage;
  }
  auto cfg = LoadForDebug(flags.conf_dir);
  if (!cfg) return kExitUsage;
  auto mail = notify::AsgardMail(*cfg);
  if (!mail.ok()) {
    std::cerr << "asgard debug mail: " << mail.status().message() << std::endl;
    return kExitUsage;
  }
  std::cout << "debug send mail" << std::endl;
  notify::MailMessage message{mail->user, receivers, "Asgard Notice", "<p>Asgard Message</p>"};
  if (absl::Status s = notify::SendMail(*mail, message); !s.ok()) {
    std::cout << "send mail failed: " << s.message() << std::endl;
    return kExitFailure;
  }
  std::cout << "send mail success!" << std::endl;
  return kExitOk;
}

int DebugWebhook(const DebugFlags& flags) {
  auto cfg = LoadForDebug(flags.conf_dir);
  if (!cfg) return kExitUsage;
  std::string url = flags.url.empty() ? cfg->master.webhook : flags.url;
  std::string type = flags.type.empty() ? cfg->master.webhook_type : flags.type;
  if (url.empty()) {
    std::cerr << "asgard debug webhook: no URL (set master.webhook in app.yaml or pass --url)"
              << std::endl;
    return kExitUsage;
  }
  notify::Alert test;
  test.kind = "agent";
  test.name = "asgard debug webhook";
  test.reason = "test message, nothing failed";
  test.time = absl::Now();
  notify::WebhookChannel hook(url, type);
  if (absl::Status s = hook.Send({test, 0, {}}); !s.ok()) {
    std::cout << "send webhook failed: " << s.message() << std::endl;
    return kExitFailure;
  }
  std::cout << "send webhook success!" << std::endl;
  return kExitOk;
}

}  // namespace

void AddDebugCommand(CLI::App& app, Invocation& inv) {
  CLI::App* debug = app.add_subcommand("debug", "Send test notifications (调试: 测试邮件和 webhook)");
  debug->require_subcommand(1, 1);
  CLI::App* mail = debug->add_subcommand(
      "mail", "Send a test mail through component.mail.asgard (subject \"Asgard Notice\")");
  mail->add_option("-r,--receiver", inv.debug.receiver, "Address(es) to send to, comma-separated");
  mail->add_option("-c,--conf", inv.debug.conf_dir, "Directory holding app.yaml")
      ->capture_default_str();
  mail->footer("Exit codes: 0 sent, 1 the server refused or could not be reached, 2 bad config.");
  mail->final_callback([&inv] { inv.action = [&inv] { return DebugMail(inv.debug); }; });

  CLI::App* webhook = debug->add_subcommand(
      "webhook", "Post a test alert to master.webhook in master.webhook_type's format");
  webhook->add_option("-c,--conf", inv.debug.conf_dir, "Directory holding app.yaml")
      ->capture_default_str();
  webhook->add_option("--url", inv.debug.url, "Post here instead of master.webhook");
  webhook->add_option("--type", inv.debug.type, "generic, dingtalk, wecom or feishu")
      ->check(CLI::IsMember({"generic", "dingtalk", "wecom", "feishu"}));
  webhook->footer("Exit codes: 0 accepted, 1 refused or unreachable, 2 bad config.");
  webhook->final_callback([&inv] { inv.action = [&inv] { return DebugWebhook(inv.debug); }; });
}

}  // namespace asgard::cli
