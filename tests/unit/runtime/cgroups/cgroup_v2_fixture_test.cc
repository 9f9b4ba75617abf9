// The v2 driver against a fixture tree shaped like a unified /sys/fs/cgroup.
#include "fixture.h"
#include "absl/algorithm/container.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "runtime/cgroups/cgroup.h"

namespace podagent {
namespace {

using testing::Get;
using testing::Put;

class CgroupV2Fixture : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = tmp_.path();
    Put(root_ + "/cgroup.controllers", "cpuset cpu io memory hugetlb pids\n");
    Put(root_ + "/cgroup.subtree_control", "cpu\n");
    Put(root_ + "/cgroup.procs", "");
    auto d = NewCgroupV2Driver(root_, {.create_missing_files = true});
    ASSERT_TRUE(d.ok()) << d.status();
    driver_ = std::move(*d);
  }

  testing::TempDir tmp_;
  std::string root_;
  std::unique_ptr<CgroupDriver> driver_;
};

// What a fixture can show of delegation is what the driver writes: the kernel's interface is one
// "+NAME" write per controller to enable (Documentation/admin-guide/cgroup-v2.rst, "Enabling and
// Disabling"); a plain file keeps the last. That every controller really ends up enabled in every
// ancestor is checked against the kernel: ROOT_CgroupOnDetectedVersion.
// NestedCreateDelegatesControllersAndJoinShowsInProcCgroup (tests/integration/cgroupv2).
TEST_F(CgroupV2Fixture, CreateWritesPlusControllerWhereNotYetEnabled) {
  // /podagent shows every controller enabled already, as the kernel lists them.
  const std::string all = "cpuset cpu io memory hugetlb pids";
  ASSERT_TRUE(MakeDirs(root_ + "/podagent").ok());
  Put(root_ + "/podagent/cgroup.subtree_control", all + "\n");
  ASSERT_TRUE(driver_->Create("/podagent/pod1/c1").ok());
  EXPECT_TRUE(driver_->IsV2());
  std::vector<std::string> controllers = absl::StrSplit(all, ' ');
  for (const std::string& level : {root_, root_ + "/podagent/pod1"}) {
    std::string file = Get(level + "/cgroup.subtree_control");
    absl::string_view written = file;
    ASSERT_TRUE(absl::ConsumePrefix(&written, "+")) << level << ": " << file;
    EXPECT_TRUE(absl::c_linear_search(controllers, std::string(written))) << level << ": " << file;
    if (level == root_) {
      EXPECT_NE(written, "cpu") << "cpu was enabled in the root already";
    }
  }
  EXPECT_EQ(Get(root_ + "/podagent/cgroup.subtree_control"), all + "\n") << "nothing to enable there";
  EXPECT_TRUE(PathExists(root_ + "/podagent/pod1/c1"));
  EXPECT_FALSE(PathExists(root_ + "/podagent/pod1/c1/cgroup.subtree_control")) << "the leaf delegates nothing";
}

TEST_F(CgroupV2Fixture, ApplyWritesV2Files) {
  ASSERT_TRUE(driver_->Create("/p").ok());
  CgroupResources r;
  r.cpu_shares = 1024;
  r.cpu_quota = 50000;
  r.cpu_period = 100000;
  r.memory_limit = 64 << 20;
  r.memory_swap_limit = 96 << 20;
  r.pids_limit = 100;
  r.hugepage_limits["2MB"] = 2 << 20;
  r.unified["memory.high"] = "50000000";
  r.memory_oom_group = true;
  ASSERT_TRUE(driver_->Apply("/p", r).ok());
  EXPECT_EQ(Get(root_ + "/p/cpu.weight"), "39");
  EXPECT_EQ(Get(root_ + "/p/cpu.max"), "50000 100000");
  EXPECT_EQ(Get(root_ + "/p/memory.max"), std::to_string(64 << 20));
  EXPECT_EQ(Get(root_ + "/p/memory.swap.max"), std::to_string(32 << 20));
  EXPECT_EQ(Get(root_ + "/p/pids.max"), "100");
  EXPECT_EQ(Get(root_ + "/p/hugetlb.2MB.max"), std::to_string(2 << 20));
  EXPECT_EQ(Get(root_ + "/p/memory.high"), "50000000");
  EXPECT_EQ(Get(root_ + "/p/memory.oom.group"), "1");
}

TEST_F(CgroupV2Fixture, UnlimitedValues) {
  ASSERT_TRUE(driver_->Create("/p").ok());
  CgroupResources r;
  r.cpu_quota = -1;
  r.memory_limit = 0;
  r.pids_limit = -1;
  ASSERT_TRUE(driver_->Apply("/p", r).ok());
  EXPECT_EQ(Get(root_ + "/p/cpu.max"), "max 100000");
  EXPECT_EQ(Get(root_ + "/p/memory.max"), "max");
  EXPECT_EQ(Get(root_ + "/p/pids.max"), "max");
}

TEST_F(CgroupV2Fixture, BadSwapAndUnifiedRefused) {
  ASSERT_TRUE(driver_->Create("/p").ok());
  CgroupResources swap;
  swap.memory_swap_limit = 100;
  EXPECT_TRUE(absl::IsInvalidArgument(driver_->Apply("/p", swap)));
  CgroupResources unified;
  unified.unified["cgroup.procs"] = "1";
  EXPECT_TRUE(absl::IsInvalidArgument(driver_->Apply("/p", unified)));
  unified.unified = {{"../../escape.x", "1"}};
  EXPECT_TRUE(absl::IsInvalidArgument(driver_->Apply("/p", unified)));
}

// Check refuses what Apply refuses without writing anything or needing the cgroup.
TEST_F(CgroupV2Fixture, CheckRefusesWhatApplyWouldWithoutACgroup) {
  CgroupResources swap;
  swap.memory_swap_limit = 100;
  EXPECT_TRUE(absl::IsInvalidArgument(driver_->Check(swap)));
  swap.memory_limit = 200;  // memory+swap below memory
  EXPECT_TRUE(absl::IsInvalidArgument(driver_->Check(swap)));
  swap.memory_swap_limit = 300;
  EXPECT_TRUE(driver_->Check(swap).ok());
  CgroupResources unified;
  unified.unified["cgroup.procs"] = "1";
  EXPECT_TRUE(absl::IsInvalidArgument(driver_->Check(unified)));
  unified.unified = {{"memory.high", "1"}};
  EXPECT_TRUE(driver_->Check(unified).ok());
  CgroupResources huge;
  huge.hugepage_limits["2XB"] = 1;
  EXPECT_TRUE(absl::IsInvalidArgument(driver_->Check(huge)));
  CgroupResources devices;
  devices.devices = std::vector<DeviceRule>{{.type = 'c', .major = 1, .minor = 3, .access = "rwz"}};
  EXPECT_TRUE(absl::IsInvalidArgument(driver_->Check(devices)));
  EXPECT_FALSE(PathExists(root_ + "/p")) << "Check made a cgroup";
}

TEST_F(CgroupV2Fixture, DestroyWritesCgroupKillThenRemoves) {
  ASSERT_TRUE(driver_->Create("/p/c").ok());
  Put(root_ + "/p/cgroup.kill", "");
  pid_t sleeper = testing::SpawnSleeper();
  ASSERT_TRUE(driver_->AddProcess("/p/c", sleeper).ok());
  EXPECT_EQ(driver_->ProcsFiles("/p/c"), std::vector<std::string>{root_ + "/p/c/cgroup.procs"});
  ASSERT_TRUE(driver_->Destroy("/p").ok());
  EXPECT_EQ(testing::ReapSignal(sleeper), SIGKILL);
  EXPECT_FALSE(driver_->Exists("/p"));
  EXPECT_TRUE(driver_->Exists("/"));
}

TEST(CgroupDetect, RefusesPlainDirectory) {
  testing::TempDir tmp;
  auto d = CgroupDriver::Detect(tmp.path());
  // /tmp is tmpfs on some machines (then it is a v1 root without hierarchies) and ext4 on others.
  EXPECT_FALSE(d.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(d.status())) << d.status();
}

}  // namespace
}  // namespace podagent
