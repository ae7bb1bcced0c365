#include "rpc/credentials.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace asgard::rpc {
namespace {

std::string TempDir() {
  char tmpl[] = "/tmp/asgard-cred-XXXXXX";
  return mkdtemp(tmpl);
}

// Issue 9: without keys, roles on one host share secrets no other local account can read.
TEST(LocalSecret, MadeOnceWithMode0600AndReadBack) {
  std::string dir = TempDir() + "/runtime";
  auto a = LocalSecret(dir, "rpc.token");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->size(), 64u);
  struct stat st {};
  ASSERT_EQ(stat((dir + "/rpc.token").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  EXPECT_EQ(LocalSecret(dir, "rpc.token").value_or(""), *a);
  EXPECT_NE(LocalSecret(dir, "control.token").value_or(*a), *a);
}

TEST(LocalSecret, ProcessesStartingTogetherAgree) {
  std::string dir = TempDir();
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::vector<pid_t> kids;
  for (int i = 0; i < 8; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      auto s = LocalSecret(dir, "control.token");
      std::string line = s.ok() ? *s + "\n" : "error\n";
      (void)!write(fds[1], line.data(), line.size());
      _exit(0);
    }
    kids.push_back(pid);
  }
  close(fds[1]);
  for (pid_t pid : kids) waitpid(pid, nullptr, 0);
  std::string all;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof(buf))) > 0;) all.append(buf, n);
  close(fds[0]);
  std::string first = all.substr(0, all.find('\n'));
  EXPECT_EQ(first.size(), 64u) << all;
  EXPECT_EQ(all, [&] {
    std::string want;
    for (int i = 0; i < 8; ++i) want += first + "\n";
    return want;
  }());
}

TEST(LocalSecret, ASecretOthersCanReadIsRefused) {
  std::string dir = TempDir();
  {
    std::ofstream out(dir + "/rpc.token");
    out << std::string(64, 'a') << "\n";
  }
  chmod((dir + "/rpc.token").c_str(), 0644);
  auto s = LocalSecret(dir, "rpc.token");
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), ::testing::HasSubstr("other accounts"));
}

TEST(ControlVerifierFor, PrefersTheHashAndNeverNeedsTheToken) {
  config::Config cfg;
  cfg.runtime_dir = TempDir();
  const std::string token = NewSecret();
  cfg.rpc_control_token_hash = HashControlToken(token).value();
  auto v = ControlVerifierFor(cfg);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE((*v)->CheckHeader("Bearer " + token).ok());
  // Nothing was generated: the agent holds only the hash.
  EXPECT_NE(access((cfg.runtime_dir + "/control.token").c_str(), F_OK), 0);
  EXPECT_TRUE(AgentKeysSet(cfg));
  EXPECT_FALSE(MasterKeysSet(cfg));
}

TEST(ControlVerifierFor, WithoutKeysTheGeneratedTokenOfTheHost) {
  config::Config cfg;
  cfg.runtime_dir = TempDir();
  auto v = ControlVerifierFor(cfg);
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_TRUE((*v)->CheckHeader("Bearer " + ControlToken(cfg).value()).ok());
  EXPECT_FALSE((*v)->CheckHeader("Bearer " + AgentToken(cfg).value()).ok());
}

}  // namespace
}  // namespace asgard::rpc
