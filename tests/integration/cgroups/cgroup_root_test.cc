// ROOT: the drivers on this machine's real cgroup hierarchies (v1 under /sys/fs/cgroup, and the
// controller-less v2 mount at /sys/fs/cgroup/unified). Each suite exists only where the kernel
// shows its hierarchy (decided when the tests are listed), so a v2 host runs the v2 suites of
// tests/integration/cgroupv2 instead of failing these or counting skipped ones as passed.
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "tests/lib/host_cgroup_test.h"
#include "tests/lib/sleeper.h"

namespace podagent {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// A cgroup file's value; a read error fails the test (two unreadable files never compare equal
// silently).
std::string Read(const std::string& path) {
  auto s = ReadFile(path);
  if (!s.ok()) ADD_FAILURE() << s.status();
  return s.ok() ? Trim(*s) : "<" + std::string(s.status().message()) + ">";
}

using testing::ReapSignal;
using testing::SpawnSleeper;

// {"host"} unless /sys/fs/cgroup is known to be v2; a detection error keeps the suite so that
// SetUp reports it.
std::vector<std::string> IfV1Host() {
  auto d = CgroupDriver::Detect("/sys/fs/cgroup");
  if (d.ok() && (*d)->IsV2()) return {};
  return {"host"};
}

std::vector<std::string> IfV1HostWithSwapAccounting() {
  if (IfV1Host().empty() || !PathExists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes")) return {};
  return {"host"};
}

std::vector<std::string> IfCgroup2At(const char* path) {
  struct statfs fs {};
  if (::statfs(path, &fs) != 0 || fs.f_type != CGROUP2_SUPER_MAGIC) return {};
  return {"host"};
}

class RootCgroupV1 : public testing::HostCgroupTest, public ::testing::WithParamInterface<std::string> {
 protected:
  RootCgroupV1() : HostCgroupTest("podagent-test") {}
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(HostCgroupTest::SetUp());
    ASSERT_FALSE(driver_->IsV2()) << "listed as a v1 host, detected as v2";
  }
};

TEST_P(RootCgroupV1, DetectFindsThisMachinesHierarchies) {
  auto c = driver_->Controllers();
  for (const char* want : {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "name=systemd"}) {
    EXPECT_NE(std::find(c.begin(), c.end(), want), c.end()) << want;
  }
}

TEST_P(RootCgroupV1, CreateApplyAddDestroyLeavesNothing) {
  std::string pod = top_ + "/pod1";
  ASSERT_TRUE(driver_->Create(pod).ok());
  for (const char* h : {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd"}) {
    EXPECT_TRUE(PathExists(absl::StrCat("/sys/fs/cgroup/", h, pod))) << h;
  }
  EXPECT_EQ(Read(driver_->Dir(pod, "cpuset") + "/cpuset.cpus"), Read("/sys/fs/cgroup/cpuset/cpuset.cpus"));
  EXPECT_EQ(Read(driver_->Dir(pod, "cpuset") + "/cpuset.mems"), Read("/sys/fs/cgroup/cpuset/cpuset.mems"));

  CgroupResources r;
  r.cpu_shares = 256;
  r.cpu_quota = 20000;
  r.cpu_period = 100000;
  r.memory_limit = 64 << 20;
  r.pids_limit = 50;
  absl::Status st = driver_->Apply(pod, r);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(Read(driver_->Dir(pod, "cpu") + "/cpu.shares"), "256");
  EXPECT_EQ(Read(driver_->Dir(pod, "cpu") + "/cpu.cfs_quota_us"), "20000");
  EXPECT_EQ(Read(driver_->Dir(pod, "cpu") + "/cpu.cfs_period_us"), "100000");
  EXPECT_EQ(Read(driver_->Dir(pod, "memory") + "/memory.limit_in_bytes"), std::to_string(64 << 20));
  EXPECT_EQ(Read(driver_->Dir(pod, "pids") + "/pids.max"), "50");

  pid_t child = SpawnSleeper();
  ASSERT_GT(child, 0);
  st = driver_->AddProcess(pod, child);
  ASSERT_TRUE(st.ok()) << st;
  auto pids = driver_->Pids(top_);
  ASSERT_TRUE(pids.ok()) << pids.status();
  EXPECT_EQ(*pids, std::vector<pid_t>{child});
  std::string self_cgroup = Read(absl::StrCat("/proc/", child, "/cgroup"));
  EXPECT_NE(self_cgroup.find("memory:" + pod), std::string::npos) << self_cgroup;

  st = driver_->Destroy(top_);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(ReapSignal(child), SIGKILL);
  EXPECT_FALSE(driver_->Exists(top_));
  for (const char* h : {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd"}) {
    EXPECT_FALSE(PathExists(absl::StrCat("/sys/fs/cgroup/", h, top_))) << h;
  }
}

// Swap limits need swap accounting (memory.memsw.*), which a v1 kernel may have off.
class RootCgroupV1Swap : public RootCgroupV1 {};

TEST_P(RootCgroupV1Swap, MemorySwapAndRaisingLimits) {
  ASSERT_TRUE(driver_->Create(top_).ok());
  CgroupResources small;
  small.memory_limit = 32 << 20;
  small.memory_swap_limit = 48 << 20;
  ASSERT_TRUE(driver_->Apply(top_, small).ok());
  CgroupResources big;  // memory above the old memsw: the driver must reorder the writes
  big.memory_limit = 128 << 20;
  big.memory_swap_limit = 256 << 20;
  absl::Status st = driver_->Apply(top_, big);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(Read(driver_->Dir(top_, "memory") + "/memory.limit_in_bytes"), std::to_string(128 << 20));
  EXPECT_EQ(Read(driver_->Dir(top_, "memory") + "/memory.memsw.limit_in_bytes"), std::to_string(256 << 20));
  st = driver_->Apply(top_, small);  // and back down
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(Read(driver_->Dir(top_, "memory") + "/memory.memsw.limit_in_bytes"), std::to_string(48 << 20));
}

TEST_P(RootCgroupV1, DestroyKillsAForkingTree) {
  ASSERT_TRUE(driver_->Create(top_ + "/c").ok());
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  pid_t child = ::fork();
  if (child == 0) {  // waits until it is in the cgroup, then makes children of its own there
    char c;
    ::close(go[1]);
    if (::read(go[0], &c, 1) != 1) ::_exit(1);
    for (int i = 0; i < 3; ++i) {
      if (::fork() == 0) {
        for (;;) ::pause();
      }
    }
    for (;;) ::pause();
  }
  ::close(go[0]);
  absl::Status added = driver_->AddProcess(top_ + "/c", child);
  EXPECT_EQ(::write(go[1], "g", 1), 1);
  ::close(go[1]);
  ASSERT_TRUE(added.ok()) << added;
  size_t seen = 0;
  for (int i = 0; i < 500 && seen < 4; ++i) {
    auto p = driver_->Pids(top_);
    seen = p.ok() ? p->size() : 0;
    if (seen < 4) ::usleep(10000);
  }
  EXPECT_EQ(seen, 4u) << "the grandchildren are born inside the cgroup";
  absl::Status st = driver_->Destroy(top_);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(ReapSignal(child), SIGKILL);
  EXPECT_FALSE(driver_->Exists(top_));
}

INSTANTIATE_TEST_SUITE_P(Detected, RootCgroupV1, ::testing::ValuesIn(IfV1Host()));
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(RootCgroupV1);
INSTANTIATE_TEST_SUITE_P(Detected, RootCgroupV1Swap, ::testing::ValuesIn(IfV1HostWithSwapAccounting()));
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(RootCgroupV1Swap);

// The controller-less cgroup2 mount a v1 host has beside its hierarchies.
class RootCgroupV2Unified : public ::testing::TestWithParam<std::string> {};

TEST_P(RootCgroupV2Unified, CreateAddKillRemoveOnRealCgroup2) {
  ASSERT_EQ(::geteuid(), 0u) << "ROOT test: run as root";
  auto d = CgroupDriver::Detect("/sys/fs/cgroup/unified");
  ASSERT_TRUE(d.ok()) << d.status();
  ASSERT_TRUE((*d)->IsV2());
  std::string path = "/podagent-test-" + NewId().substr(0, 12) + "/pod";
  ASSERT_TRUE((*d)->Create(path).ok());
  pid_t child = SpawnSleeper();
  ASSERT_TRUE((*d)->AddProcess(path, child).ok());
  EXPECT_EQ(Read("/sys/fs/cgroup/unified" + path + "/cgroup.procs"), std::to_string(child));
  std::string top = path.substr(0, path.rfind('/'));
  absl::Status st = (*d)->Destroy(top);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(ReapSignal(child), SIGKILL);
  EXPECT_FALSE((*d)->Exists(top));
}

INSTANTIATE_TEST_SUITE_P(Detected, RootCgroupV2Unified, ::testing::ValuesIn(IfCgroup2At("/sys/fs/cgroup/unified")));
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(RootCgroupV2Unified);

}  // namespace
}  // namespace podagent
