// ROOT: a command run by ExecSync (podagent-shim exec) gets the container's oom_score_adj and
// rlimits, not those of the daemon that launched the helper. Checked against the kernel: the
// container process's own /proc/PID/oom_score_adj and /proc/PID/limits, read from the host.
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "runtime/common/files.h"
#include "tests/lib/shim_fixture.h"

namespace podagent {
namespace {

// The "Max open files" line of /proc/PID/limits as "soft hard", or the read error.
std::string NofileLimits(const std::string& limits_text) {
  for (absl::string_view line : absl::StrSplit(limits_text, '\n')) {
    if (!absl::StartsWith(line, "Max open files")) continue;
    std::vector<absl::string_view> f = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (f.size() >= 5) return absl::StrCat(f[3], " ", f[4]);
  }
  return "<no Max open files line>";
}

using ExecLimitsRoot = testing::ShimRootTest;

TEST_F(ExecLimitsRoot, ExecSyncGetsTheContainersOomScoreAdjAndRlimits) {
  auto own = ReadFile("/proc/self/oom_score_adj");
  ASSERT_TRUE(own.ok()) << own.status();
  ASSERT_NE(std::string(absl::StripAsciiWhitespace(*own)), "777") << "pick a value the launcher does not have";
  ContainerSpec s = Base({"/bin/sleep", "60"});
  s.process.oom_score_adj = 777;
  s.process.rlimits = {{"RLIMIT_NOFILE", 123, 456}};
  auto started = Start(s);
  ASSERT_TRUE(started.ok()) << started.status();
  const pid_t pid = started->pid;

  // The container's own values, from the kernel.
  auto ctr_oom = ReadFile(absl::StrCat("/proc/", pid, "/oom_score_adj"));
  auto ctr_limits = ReadFile(absl::StrCat("/proc/", pid, "/limits"));
  ASSERT_TRUE(ctr_oom.ok()) << ctr_oom.status();
  ASSERT_TRUE(ctr_limits.ok()) << ctr_limits.status();
  ASSERT_EQ(std::string(absl::StripAsciiWhitespace(*ctr_oom)), "777");
  ASSERT_EQ(NofileLimits(*ctr_limits), "123 456");

  auto r = launcher_->ExecSync(s.state_dir, pid, {"sh", "-c", "cat /proc/self/oom_score_adj; cat /proc/self/limits"},
                               absl::Seconds(10), 1 << 20);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->exit_code, 0) << r->err;
  std::vector<std::string> lines = absl::StrSplit(r->out, absl::MaxSplits('\n', 1));
  ASSERT_EQ(lines.size(), 2u) << r->out;
  EXPECT_EQ(lines[0], "777") << "exec'd command kept the launcher's oom_score_adj";
  EXPECT_EQ(NofileLimits(lines[1]), "123 456") << "exec'd command kept the launcher's RLIMIT_NOFILE";
}

}  // namespace
}  // namespace podagent
