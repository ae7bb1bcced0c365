#include "process/cgroup_spares.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/uuid.h"
#include "spdlog/spdlog.h"

namespace asgard::process {

CgroupSpares::CgroupSpares(std::string base, size_t depth)
    : base_(std::move(base)), depth_(depth), helper_([this] { Fill(); }) {}

CgroupSpares::~CgroupSpares() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  helper_.join();
  for (const Spare& spare : ready_) rmdir((base_ + "/" + spare.run_id).c_str());
}

std::optional<CgroupSpares::Spare> CgroupSpares::Take() {
  std::optional<Spare> spare;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (ready_.empty()) return std::nullopt;
    spare = std::move(ready_.front());
    ready_.pop_front();
  }
  wake_.notify_one();
  return spare;
}

void CgroupSpares::Fill() {
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || ready_.size() < depth_; });
      if (stopping_) return;
    }
    Spare spare{NewUuid(), UniqueFd()};
    std::string dir = base_ + "/" + spare.run_id;
    if (mkdir(dir.c_str(), 0755) == 0) {
      spare.cgroup = UniqueFd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      if (!spare.cgroup.valid()) rmdir(dir.c_str());
    }
    if (!spare.cgroup.valid()) {
      // The spawning thread makes its own (and says why it cannot); try again later.
      spdlog::debug("cannot prepare a cgroup under {}: {}", base_, std::strerror(errno));
      std::unique_lock<std::mutex> lock(mu_);
      wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
      continue;
    }
    std::lock_guard<std::mutex> lock(mu_);
    ready_.push_back(std::move(spare));
  }
}

}  // namespace asgard::process
