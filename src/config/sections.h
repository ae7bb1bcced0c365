// File: sections.h
// Internal to the app.yaml loader (config_loader.cc): the readers of its parts, split by file.
// Each reads its keys from the document's root mapping into `config`, returning the first error
// ("<key path>: <reason> at line N", without the file name, which the loader adds).
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "config/config.h"
#include "config/yaml_reader.h"

namespace asgard::config::internal {

// `component.db|redis|mail|log` (components.cc). Adds security warnings that name `source`.
absl::Status ReadComponents(MapReader& root, const std::string& source, Config& config,
                            std::vector<std::string>& warnings);

// The `app:`, `cron:` and `timing:` lists (task_lists.cc).
absl::Status ReadTaskLists(MapReader& root, Config& config);

}  // namespace asgard::config::internal
