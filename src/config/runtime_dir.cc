#include <fstream>
#include <string>

#include "config/config.h"
#include "yaml-cpp/yaml.h"

namespace asgard::config {

std::string ReadRuntimeDir(const std::string& path) {
  const std::string kDefault = "runtime";
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    // Top-level keys start in column 0 (block style, as every example and the original use).
    if (line.rfind("runtime_dir:", 0) != 0) continue;
    try {
      YAML::Node node = YAML::Load(line);
      if (node["runtime_dir"] && node["runtime_dir"].IsScalar()) {
        std::string dir = node["runtime_dir"].as<std::string>();
        return dir.empty() ? kDefault : dir;
      }
    } catch (const YAML::Exception&) {
    }
    return kDefault;
  }
  return kDefault;
}

}  // namespace asgard::config
