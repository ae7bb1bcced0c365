// Links the lean libraries (the task runtime, the role scaffold) and nothing else, so that
// layering_test.sh can read what they pull in. Uses their classes so the objects are linked.
#include "role/role_scaffold.h"
#include "runtime/cron.h"
#include "runtime/guard.h"

int main(int argc, char** argv) {
  if (argc < 2) return 0;  // never runs the runtime: only its link is looked at
  auto scaffold = asgard::role::RoleScaffold::Create("probe");
  if (!scaffold.ok()) return 1;
  asgard::runtime::Guard guard((*scaffold)->loop(), (*scaffold)->launcher());
  asgard::runtime::Cron cron((*scaffold)->loop(), (*scaffold)->launcher(), nullptr);
  asgard::runtime::TaskSet tasks;
  guard.Apply(tasks);
  cron.Apply(tasks);
  (*scaffold)->Every(std::chrono::seconds(1), [&] { guard.Sample(); });
  (*scaffold)->loop().Run();
  return 0;
}
