// The v1 driver against a fixture tree shaped like this machine's /sys/fs/cgroup.
#include <unistd.h>

#include <algorithm>

#include "fixture.h"
#include "gtest/gtest.h"
#include "runtime/cgroups/cgroup.h"

namespace podagent {
namespace {

using testing::Get;
using testing::Put;

class CgroupV1Fixture : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_.path();
    for (const char* h : {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd"}) {
      Put(root_ + "/" + h + "/cgroup.procs", "");
    }
    Put(root_ + "/cpuset/cpuset.cpus", "0-1\n");
    Put(root_ + "/cpuset/cpuset.mems", "0\n");
    Put(root_ + "/memory/memory.memsw.limit_in_bytes", "9223372036854771712\n");
    Put(root_ + "/unified/cgroup.controllers", "");  // the controller-less v2 mount: not a hierarchy
    Put(root_ + "/unified/cgroup.procs", "");
    auto d = NewCgroupV1Driver(root_, {.create_missing_files = true});
    ASSERT_TRUE(d.ok()) << d.status();
    driver_ = std::move(*d);
  }
  std::string F(const std::string& h, const std::string& rest) { return root_ + "/" + h + rest; }

  testing::TempDir tmp_;
  std::string root_;
  std::unique_ptr<CgroupDriver> driver_;
};

TEST_F(CgroupV1Fixture, FindsEveryHierarchyButUnified) {
  std::vector<std::string> want = {"blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "name=systemd", "pids"};
  EXPECT_EQ(driver_->Controllers(), want);
  EXPECT_FALSE(driver_->IsV2());
  EXPECT_EQ(driver_->Dir("/a", "memory"), root_ + "/memory/a");
  EXPECT_EQ(driver_->Dir("/a", "systemd"), root_ + "/systemd/a");
  EXPECT_EQ(driver_->Dir("/a", "hugetlb"), "");
}

TEST_F(CgroupV1Fixture, CreateMakesPathInEveryHierarchyAndCopiesCpuset) {
  ASSERT_TRUE(driver_->Create("/podagent/pod1").ok());
  for (const char* h : {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "systemd"}) {
    EXPECT_TRUE(PathExists(F(h, "/podagent/pod1"))) << h;
  }
  EXPECT_FALSE(PathExists(root_ + "/unified/podagent"));
  EXPECT_EQ(Get(F("cpuset", "/podagent/cpuset.cpus")), "0-1");
  EXPECT_EQ(Get(F("cpuset", "/podagent/pod1/cpuset.cpus")), "0-1");
  EXPECT_EQ(Get(F("cpuset", "/podagent/pod1/cpuset.mems")), "0");
  EXPECT_TRUE(driver_->Exists("/podagent/pod1"));
  EXPECT_TRUE(driver_->Create("/podagent/pod1").ok()) << "existing is fine";
}

// A concurrent creator made /podagent but had not copied its cpuset yet: Create fills it in
// before the child copies from it, so the child does not inherit empty cpus/mems.
TEST_F(CgroupV1Fixture, CreateFillsAnExistingParentsEmptyCpuset) {
  Put(F("cpuset", "/podagent/cpuset.cpus"), "\n");
  Put(F("cpuset", "/podagent/cpuset.mems"), "\n");
  ASSERT_TRUE(driver_->Create("/podagent/pod1").ok());
  EXPECT_EQ(Get(F("cpuset", "/podagent/cpuset.cpus")), "0-1");
  EXPECT_EQ(Get(F("cpuset", "/podagent/cpuset.mems")), "0");
  EXPECT_EQ(Get(F("cpuset", "/podagent/pod1/cpuset.cpus")), "0-1");
  EXPECT_EQ(Get(F("cpuset", "/podagent/pod1/cpuset.mems")), "0");
}

TEST_F(CgroupV1Fixture, ApplyWritesV1Files) {
  ASSERT_TRUE(driver_->Create("/p").ok());
  CgroupResources r;
  r.cpu_shares = 512;
  r.cpu_quota = 50000;
  r.cpu_period = 100000;
  r.cpuset_cpus = "1";
  r.memory_limit = 64 << 20;
  r.memory_swap_limit = 128 << 20;
  r.pids_limit = 0;
  ASSERT_TRUE(driver_->Apply("/p", r).ok());
  EXPECT_EQ(Get(F("cpu", "/p/cpu.shares")), "512");
  EXPECT_EQ(Get(F("cpu", "/p/cpu.cfs_quota_us")), "50000");
  EXPECT_EQ(Get(F("cpu", "/p/cpu.cfs_period_us")), "100000");
  EXPECT_EQ(Get(F("cpuset", "/p/cpuset.cpus")), "1");
  EXPECT_EQ(Get(F("memory", "/p/memory.limit_in_bytes")), std::to_string(64 << 20));
  EXPECT_EQ(Get(F("memory", "/p/memory.memsw.limit_in_bytes")), std::to_string(128 << 20));
  EXPECT_EQ(Get(F("pids", "/p/pids.max")), "max");
}

TEST_F(CgroupV1Fixture, UnlimitedValuesAndUnsetFieldsUntouched) {
  ASSERT_TRUE(driver_->Create("/p").ok());
  CgroupResources r;
  r.cpu_quota = -1;
  r.memory_limit = 0;
  ASSERT_TRUE(driver_->Apply("/p", r).ok());
  EXPECT_EQ(Get(F("cpu", "/p/cpu.cfs_quota_us")), "-1");
  EXPECT_EQ(Get(F("memory", "/p/memory.limit_in_bytes")), "-1");
  EXPECT_FALSE(PathExists(F("cpu", "/p/cpu.shares")));
  EXPECT_FALSE(PathExists(F("pids", "/p/pids.max")));
}

TEST_F(CgroupV1Fixture, UnifiedRefusedHugetlbSkippedWhenAbsent) {
  ASSERT_TRUE(driver_->Create("/p").ok());
  CgroupResources r;
  r.unified["memory.high"] = "1000";
  EXPECT_TRUE(absl::IsInvalidArgument(driver_->Apply("/p", r)));
  CgroupResources h;
  h.hugepage_limits["2MB"] = 0;
  EXPECT_TRUE(driver_->Apply("/p", h).ok());
}

TEST_F(CgroupV1Fixture, CheckRefusesUnifiedAndSwapWithoutAccounting) {
  CgroupResources unified;
  unified.unified["memory.high"] = "1000";
  EXPECT_TRUE(absl::IsInvalidArgument(driver_->Check(unified)));
  CgroupResources swap;
  swap.memory_limit = 100;
  swap.memory_swap_limit = 200;
  EXPECT_TRUE(driver_->Check(swap).ok());
  CgroupResources swap_only;  // v1 writes memsw alone; v2 refuses it (memory.swap.max = swap - memory)
  swap_only.memory_swap_limit = 200;
  EXPECT_TRUE(driver_->Check(swap_only).ok());
  ASSERT_EQ(::unlink(F("memory", "/memory.memsw.limit_in_bytes").c_str()), 0);
  EXPECT_TRUE(absl::IsFailedPrecondition(driver_->Check(swap)));
  swap.memory_swap_limit.reset();
  EXPECT_TRUE(driver_->Check(swap).ok());
}

TEST_F(CgroupV1Fixture, HugetlbWrittenWhenMounted) {
  Put(root_ + "/hugetlb/cgroup.procs", "");
  auto d = NewCgroupV1Driver(root_, {.create_missing_files = true});
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE((*d)->Create("/p").ok());
  CgroupResources h;
  h.hugepage_limits["2MB"] = 4 << 20;
  ASSERT_TRUE((*d)->Apply("/p", h).ok());
  EXPECT_EQ(Get(F("hugetlb", "/p/hugetlb.2MB.limit_in_bytes")), std::to_string(4 << 20));
}

TEST_F(CgroupV1Fixture, BadPathsRefused) {
  EXPECT_TRUE(absl::IsInvalidArgument(driver_->Create("relative")));
  EXPECT_TRUE(absl::IsInvalidArgument(driver_->Create("/a/../../etc")));
  EXPECT_TRUE(absl::IsInvalidArgument(driver_->Create("/a//b")));
  EXPECT_TRUE(absl::IsInvalidArgument(driver_->Destroy("/")));
}

TEST_F(CgroupV1Fixture, ProcsFilesOnePerHierarchy) {
  auto files = driver_->ProcsFiles("/p");
  EXPECT_EQ(files.size(), 9u);
  EXPECT_NE(std::find(files.begin(), files.end(), root_ + "/memory/p/cgroup.procs"), files.end());
}

TEST_F(CgroupV1Fixture, DestroyKillsLeftoversAndRemovesChildrenFirst) {
  ASSERT_TRUE(driver_->Create("/p/c1").ok());
  pid_t sleeper = testing::SpawnSleeper();
  ASSERT_GT(sleeper, 0);
  ASSERT_TRUE(driver_->AddProcess("/p/c1", sleeper).ok());
  auto pids = driver_->Pids("/p");
  ASSERT_TRUE(pids.ok());
  EXPECT_EQ(*pids, std::vector<pid_t>{sleeper});
  ASSERT_TRUE(driver_->Destroy("/p").ok());
  EXPECT_EQ(testing::ReapSignal(sleeper), SIGKILL);
  EXPECT_FALSE(driver_->Exists("/p"));
  EXPECT_TRUE(driver_->Destroy("/p").ok()) << "absent is fine";
}

}  // namespace
}  // namespace podagent
