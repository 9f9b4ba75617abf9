#include "runtime/container/seccomp_profile.h"
#include "tests/lib/temp_dir.h"

#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace podagent {
namespace {

// Runs `body` in a forked child that sets no_new_privs first; returns the child's exit status.
template <typename F>
int InChild(F body) {
  pid_t pid = fork();
  if (pid == 0) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) _exit(100);
    _exit(body());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 200;
}

TEST(SeccompProfileTest, ParsesOciProfile) {
  auto j = nlohmann::json::parse(R"({
    "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
    "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
                 {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
                  "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]})");
  auto p = ParseSeccompProfile(j);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(p->default_errno_ret, 1);
  ASSERT_EQ(p->syscalls.size(), 2u);
  EXPECT_EQ(p->syscalls[1].args[0].value, 8u);
  auto again = ParseSeccompProfile(ToJson(*p));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ToJson(*again), ToJson(*p));
}

TEST(SeccompProfileTest, RejectsBadProfiles) {
  EXPECT_EQ(ParseSeccompProfile(nlohmann::json::parse(R"({"defaultAction": "SCMP_ACT_FLY"})")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSeccompProfile(nlohmann::json::parse(R"({"syscalls": []})")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseSeccompProfile(nlohmann::json::parse(
                R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["x"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 9, "op": "SCMP_CMP_EQ"}]}]})"))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(SeccompProfileTest, LoadFileNamesPathOnError) {
  auto missing = LoadSeccompProfileFile("/nonexistent/profile.json");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), ::testing::HasSubstr("/nonexistent/profile.json"));
  testing::TempDir dir("podagent-seccomp");
  std::string path = dir / "bad.json";
  std::ofstream(path) << "{not json";
  auto bad = LoadSeccompProfileFile(path);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(bad.status().message()), ::testing::HasSubstr(path));
}

TEST(SeccompProfileTest, RuntimeDefaultDeniesNamespacesAndMountButAllowsFork) {
  SeccompProfile p = RuntimeDefaultSeccompProfile({"CAP_CHOWN"});
  int rc = InChild([&] {
    if (!ApplySeccompProfile(p).ok()) return 1;
    if (unshare(CLONE_NEWUTS) == 0 || errno != EPERM) return 2;
    if (mount("none", "/tmp", "tmpfs", 0, nullptr) == 0 || errno != EPERM) return 3;
    pid_t c = fork();  // plain clone is still allowed
    if (c < 0) return 4;
    if (c == 0) _exit(0);
    int st;
    waitpid(c, &st, 0);
    if (getpid() <= 0) return 5;
    return 0;
  });
  EXPECT_EQ(rc, 0);
}

TEST(SeccompProfileTest, RuntimeDefaultWithSysAdminAllowsUnshare) {
  auto allowed = [](const SeccompProfile& p, const std::string& name) {
    for (const auto& r : p.syscalls) {
      if (r.action == "SCMP_ACT_ALLOW" && std::count(r.names.begin(), r.names.end(), name)) return true;
    }
    return false;
  };
  SeccompProfile admin = RuntimeDefaultSeccompProfile({"CAP_SYS_ADMIN"});
  EXPECT_TRUE(allowed(admin, "unshare"));
  EXPECT_TRUE(allowed(admin, "mount"));
  SeccompProfile plain = RuntimeDefaultSeccompProfile({"CAP_CHOWN"});
  EXPECT_FALSE(allowed(plain, "unshare"));
  EXPECT_FALSE(allowed(plain, "mount"));
}

TEST(SeccompProfileTest, LocalhostStyleErrnoProfileBlocksNamedSyscall) {
  auto p = ParseSeccompProfile(nlohmann::json::parse(
      R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42}]})"));
  ASSERT_TRUE(p.ok());
  int rc = InChild([&] {
    if (!ApplySeccompProfile(*p).ok()) return 1;
    char buf[256];
    if (getcwd(buf, sizeof buf) != nullptr) return 2;
    return errno == 42 ? 0 : 3;
  });
  EXPECT_EQ(rc, 0);
}

}  // namespace
}  // namespace podagent
