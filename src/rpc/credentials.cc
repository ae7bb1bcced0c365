#include "rpc/credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/errno_status.h"
#include "common/logging.h"
#include "common/unique_fd.h"
#include "process/task_file.h"

namespace asgard::rpc {
namespace {

constexpr size_t kSecretChars = 64;

absl::StatusOr<std::string> ReadSecret(const std::string& path) {
  // Not following a link, not blocking on a FIFO, a regular file only (as a task's files).
  absl::StatusOr<process::TaskFile> file = process::OpenTaskFile(path, O_RDONLY);
  if (!file.ok()) return file.status();
  if (file->dev_null || (file->st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, " may be read by other accounts (mode ", file->st.st_mode & 0777,
        "): remove it, a new one is made with mode 0600"));
  }
  char buf[kSecretChars + 2] = {};
  ssize_t n = read(file->fd.get(), buf, sizeof(buf));
  std::string secret(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.size() != kSecretChars) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, " does not hold a secret of ", kSecretChars, " characters: remove it"));
  }
  return secret;
}

}  // namespace

absl::StatusOr<std::string> LocalSecret(const std::string& runtime_dir, const std::string& name) {
  const std::string path = absl::StrCat(runtime_dir, "/", name);
  if (access(path.c_str(), F_OK) == 0) return ReadSecret(path);
  if (auto s = MakeDirs(runtime_dir, 0700); !s.ok()) return s;
  const std::string tmp = absl::StrCat(path, ".", getpid(), ".tmp");
  {
    UniqueFd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd.valid()) return ErrnoStatus("create " + tmp);
    std::string line = NewSecret() + "\n";
    if (write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      unlink(tmp.c_str());
      return ErrnoStatus("write " + tmp);
    }
  }
  // link() fails when another process made the file first: then theirs is the secret.
  int linked = link(tmp.c_str(), path.c_str());
  int err = errno;
  unlink(tmp.c_str());
  if (linked != 0 && err != EEXIST) return ErrnoStatus("create " + path, err);
  return ReadSecret(path);
}

absl::StatusOr<std::string> AgentToken(const config::Config& cfg) {
  if (!cfg.rpc_token.empty()) return cfg.rpc_token;
  return LocalSecret(cfg.runtime_dir, "rpc.token");
}

absl::StatusOr<std::string> ControlToken(const config::Config& cfg) {
  if (!cfg.rpc_control_token.empty()) return cfg.rpc_control_token;
  return LocalSecret(cfg.runtime_dir, "control.token");
}

absl::StatusOr<std::unique_ptr<ControlVerifier>> ControlVerifierFor(const config::Config& cfg) {
  if (!cfg.rpc_control_token_hash.empty()) return ControlVerifier::FromHash(cfg.rpc_control_token_hash);
  if (!cfg.rpc_control_token.empty()) return ControlVerifier::FromToken(cfg.rpc_control_token);
  auto token = LocalSecret(cfg.runtime_dir, "control.token");
  if (!token.ok()) return token.status();
  return ControlVerifier::FromToken(*token);
}

absl::StatusOr<std::string> AgentKey(const config::Config& cfg) {
  return LocalSecret(cfg.runtime_dir, "agent.key");
}

bool MasterKeysSet(const config::Config& cfg) { return !cfg.rpc_token.empty(); }

bool AgentKeysSet(const config::Config& cfg) {
  return !cfg.rpc_control_token_hash.empty() || !cfg.rpc_control_token.empty();
}

bool IsLoopback(const std::string& ip) {
  return ip == "localhost" || ip == "::1" || ip == "[::1]" || ip.rfind("127.", 0) == 0;
}

}  // namespace asgard::rpc
