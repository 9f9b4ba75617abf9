// podagent-pause arguments and reports: what needs no root (tests/integration/sandbox runs it).
#include "runtime/sandbox/pause_process.h"

#include <sched.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/lib/paths.h"

namespace podagent {
namespace {

std::string PauseBinary() {
  return testing::BinDir() + "/podagent-pause";
}

PauseSpec PlainSpec() {
  PauseSpec spec;
  spec.pod_id = "p";
  spec.binary = PauseBinary();
  spec.new_net = spec.new_ipc = spec.new_pid = spec.new_uts = false;
  return spec;
}

TEST(PauseArgs, ArgvAndFlagsFollowTheSpec) {
  PauseSpec spec;
  spec.binary = "/bin/podagent-pause";
  spec.hostname = "h";
  spec.cgroup_procs_files = {"/sys/fs/cgroup/memory/x/cgroup.procs"};
  spec.sysctls = {{"net.core.somaxconn", "net/core/somaxconn", "100"}};
  std::vector<std::string> want = {"/bin/podagent-pause", "--ready-fd", "3", "--cgroup-procs",
                                   "/sys/fs/cgroup/memory/x/cgroup.procs", "--hostname", "h", "--lo-up",
                                   "--sysctl", "net/core/somaxconn=100"};
  EXPECT_EQ(PauseArgv(spec), want);
  EXPECT_EQ(PauseCloneFlags(spec), CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWUTS);
  spec.new_net = false;
  spec.new_uts = false;
  EXPECT_EQ(PauseCloneFlags(spec), CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWPID);
  auto argv = PauseArgv(spec);
  EXPECT_EQ(std::find(argv.begin(), argv.end(), "--lo-up"), argv.end());
  EXPECT_EQ(std::find(argv.begin(), argv.end(), "--hostname"), argv.end());
}

TEST(PauseArgs, ReportParsing) {
  EXPECT_TRUE(ParsePauseReport("p", "ok\n").ok());
  absl::Status st = ParsePauseReport("p", "error 2 join cgroup: /x/cgroup.procs: No such file or directory\n");
  EXPECT_TRUE(absl::IsNotFound(st)) << st;
  EXPECT_NE(st.message().find("/x/cgroup.procs"), std::string::npos);
  EXPECT_NE(st.message().find("pod p"), std::string::npos);
  EXPECT_TRUE(absl::IsInternal(ParsePauseReport("p", "")));
  EXPECT_TRUE(absl::IsInternal(ParsePauseReport("p", "garbage")));
}

TEST(PauseProgram, MissingBinaryIsAnError) {
  PauseSpec spec = PlainSpec();
  spec.binary = "/nonexistent/podagent-pause";
  auto pause = StartPause(spec);
  ASSERT_FALSE(pause.ok());
  EXPECT_NE(pause.status().message().find("/nonexistent/podagent-pause"), std::string::npos);
}

}  // namespace
}  // namespace podagent
