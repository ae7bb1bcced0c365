#include <iostream>

#include "cli/commands.h"

namespace asgard::cli {
namespace {

struct Planned {
  const char* name;
  const char* help;
};

constexpr Planned kPlanned[] = {
    {"debug", "Debugging helpers such as `debug mail` (not built yet)"},
};

}  // namespace

void AddPlannedRoles(CLI::App& app, Action& action) {
  for (const auto& role : kPlanned) {
    CLI::App* sub = app.add_subcommand(role.name, role.help);
    sub->allow_extras();
    std::string name = role.name;
    sub->final_callback([&action, name] {
      action = [name] {
        std::cerr << "asgard " << name << ": this role is not built in this version yet; "
                  << "`asgard guard` and `asgard cron` are available." << std::endl;
        return kExitFailure;
      };
    });
  }
}

}  // namespace asgard::cli
