// Unit properties as systemd.resource-control(5) and org.freedesktop.systemd1(5) define them:
// names, D-Bus types, AllowedCPUs as a little-endian bitmask of bytes, CPUQuotaPerSecUSec in
// microseconds of CPU per second.
#include "runtime/cgroups/systemd_properties.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace podagent::systemd {
namespace {

using ::testing::ElementsAre;

const UnitProperty* Find(const std::vector<UnitProperty>& props, const std::string& name) {
  for (const auto& p : props) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

TEST(SystemdProperties, CpuSetMaskIsOneBitPerCpu) {
  EXPECT_THAT(*CpuSetMask("0"), ElementsAre(0x01));
  EXPECT_THAT(*CpuSetMask("0-3"), ElementsAre(0x0f));
  EXPECT_THAT(*CpuSetMask("1,3"), ElementsAre(0x0a));
  EXPECT_THAT(*CpuSetMask("8"), ElementsAre(0x00, 0x01));
  EXPECT_THAT(*CpuSetMask("0-1,9-10"), ElementsAre(0x03, 0x06));
  EXPECT_EQ(CpuSetMask("8191")->size(), 1024u);
}

TEST(SystemdProperties, CpuSetMaskRefusesWhatIsNotACpuList) {
  for (const char* bad : {"", "a", "1-", "-1", "3-1", "1,,2", "8192", "0-99999999999", "1 2"}) {
    EXPECT_TRUE(absl::IsInvalidArgument(CpuSetMask(bad).status())) << bad;
  }
}

TEST(SystemdProperties, CpuQuotaPerSecondInSystemdSteps) {
  EXPECT_EQ(CpuQuotaPerSecUSec(50000, 100000), 500000u);  // half a CPU
  EXPECT_EQ(CpuQuotaPerSecUSec(200000, 100000), 2000000u);
  EXPECT_EQ(CpuQuotaPerSecUSec(1000, 100000), 10000u);  // 1 %: systemd's smallest step
  EXPECT_EQ(CpuQuotaPerSecUSec(1001, 100000), 20000u);  // rounded up, never below the ask
  EXPECT_EQ(CpuQuotaPerSecUSec(25000, 50000), 500000u);
  EXPECT_EQ(CpuQuotaPerSecUSec(50000, 0), 500000u);  // default period 100 ms
  EXPECT_EQ(CpuQuotaPerSecUSec(0, 100000), kInfinity);
  EXPECT_EQ(CpuQuotaPerSecUSec(-1, 100000), kInfinity);
}

TEST(SystemdProperties, ResourcesBecomeTheirProperties) {
  CgroupResources r;
  r.cpu_shares = 1024;
  r.cpu_quota = 50000;
  r.cpu_period = 100000;
  r.memory_limit = 64 << 20;
  r.pids_limit = 100;
  r.cpuset_cpus = "0";
  auto props = ResourceProperties(r);
  ASSERT_TRUE(props.ok()) << props.status();
  EXPECT_EQ(*Find(*props, "CPUWeight"), (UnitProperty{"CPUWeight", uint64_t{39}}));
  EXPECT_EQ(*Find(*props, "CPUQuotaPerSecUSec"), (UnitProperty{"CPUQuotaPerSecUSec", uint64_t{500000}}));
  EXPECT_EQ(*Find(*props, "CPUQuotaPeriodUSec"), (UnitProperty{"CPUQuotaPeriodUSec", uint64_t{100000}}));
  EXPECT_EQ(*Find(*props, "MemoryMax"), (UnitProperty{"MemoryMax", uint64_t{64} << 20}));
  EXPECT_EQ(*Find(*props, "TasksMax"), (UnitProperty{"TasksMax", uint64_t{100}}));
  EXPECT_EQ(*Find(*props, "AllowedCPUs"), (UnitProperty{"AllowedCPUs", std::vector<uint8_t>{0x01}}));
  EXPECT_EQ(Find(*props, "AllowedMemoryNodes"), nullptr) << "unset fields give nothing";
  EXPECT_STREQ(Signature(Find(*props, "MemoryMax")->value), "t");
  EXPECT_STREQ(Signature(Find(*props, "AllowedCPUs")->value), "ay");
}

TEST(SystemdProperties, UnlimitedIsInfinity) {
  CgroupResources r;
  r.memory_limit = 0;
  r.pids_limit = -1;
  r.cpu_quota = -1;
  auto props = ResourceProperties(r);
  ASSERT_TRUE(props.ok());
  EXPECT_EQ(std::get<uint64_t>(Find(*props, "MemoryMax")->value), kInfinity);
  EXPECT_EQ(std::get<uint64_t>(Find(*props, "TasksMax")->value), kInfinity);
  EXPECT_EQ(std::get<uint64_t>(Find(*props, "CPUQuotaPerSecUSec")->value), kInfinity);
  EXPECT_TRUE(ResourceProperties(CgroupResources{})->empty());
}

TEST(SystemdProperties, BadCpusetIsRefused) {
  CgroupResources r;
  r.cpuset_cpus = "0-";
  EXPECT_TRUE(absl::IsInvalidArgument(ResourceProperties(r).status()));
}

TEST(SystemdProperties, ScopeIsDelegatedInItsSliceAroundItsPids) {
  auto props = ScopeProperties("container x", "kubepods-pod1.slice", {42, 43}, {{"MemoryMax", uint64_t{1}}});
  EXPECT_EQ(*Find(props, "Slice"), (UnitProperty{"Slice", std::string("kubepods-pod1.slice")}));
  EXPECT_EQ(*Find(props, "Delegate"), (UnitProperty{"Delegate", true}));
  EXPECT_EQ(*Find(props, "PIDs"), (UnitProperty{"PIDs", std::vector<uint32_t>{42, 43}}));
  EXPECT_STREQ(Signature(Find(props, "PIDs")->value), "au");
  EXPECT_EQ(*Find(props, "MemoryMax"), (UnitProperty{"MemoryMax", uint64_t{1}}));
  auto slice = SliceProperties("pod 1", {});
  EXPECT_EQ(*Find(slice, "DefaultDependencies"), (UnitProperty{"DefaultDependencies", false}));
  EXPECT_EQ(Find(slice, "Delegate"), nullptr);
}

TEST(SystemdProperties, FilesGetOnlyWhatSystemdHasNoPropertyFor) {
  CgroupResources r;
  r.cpu_shares = 512;
  r.cpu_quota = 50000;
  r.cpu_period = 100000;
  r.cpuset_cpus = "0";
  r.cpuset_mems = "0";
  r.memory_limit = 1 << 20;
  r.pids_limit = 10;
  r.hugepage_limits["2MB"] = 2 << 20;
  r.unified["memory.high"] = "1000000";
  r.memory_oom_group = true;
  r.devices = std::vector<DeviceRule>{};
  CgroupResources files = FileOnlyResources(r);
  EXPECT_FALSE(files.cpu_shares || files.cpu_quota || files.cpu_period || files.cpuset_cpus || files.cpuset_mems ||
               files.memory_limit || files.pids_limit);
  EXPECT_EQ(files.hugepage_limits, r.hugepage_limits);
  EXPECT_EQ(files.unified, r.unified);
  EXPECT_EQ(files.memory_oom_group, true);
  EXPECT_TRUE(files.devices.has_value());
  EXPECT_FALSE(files.memory_swap_limit);

  // The swap file's value is computed from memory+swap and memory: both stay.
  r.memory_swap_limit = 2 << 20;
  files = FileOnlyResources(r);
  EXPECT_EQ(files.memory_swap_limit, 2 << 20);
  EXPECT_EQ(files.memory_limit, 1 << 20);
}

// systemd's hybrid layout: the v1 properties (CPUShares is cpu.shares as given, MemoryLimit is
// memory.limit_in_bytes), and the cpuset, which systemd manages on the unified hierarchy only,
// goes to the files.
TEST(SystemdProperties, HybridLayoutGetsTheV1PropertiesAndKeepsTheCpusetInFiles) {
  CgroupResources r;
  r.cpu_shares = 512;
  r.cpu_quota = 50000;
  r.cpu_period = 100000;
  r.memory_limit = 64 << 20;
  r.pids_limit = 100;
  r.cpuset_cpus = "0";
  r.cpuset_mems = "0";
  auto props = ResourceProperties(r, Layout::kHybrid);
  ASSERT_TRUE(props.ok()) << props.status();
  EXPECT_EQ(*Find(*props, "CPUShares"), (UnitProperty{"CPUShares", uint64_t{512}}));
  EXPECT_EQ(*Find(*props, "CPUQuotaPerSecUSec"), (UnitProperty{"CPUQuotaPerSecUSec", uint64_t{500000}}));
  EXPECT_EQ(*Find(*props, "MemoryLimit"), (UnitProperty{"MemoryLimit", uint64_t{64} << 20}));
  EXPECT_EQ(*Find(*props, "TasksMax"), (UnitProperty{"TasksMax", uint64_t{100}}));
  for (const char* unified_only : {"CPUWeight", "MemoryMax", "AllowedCPUs", "AllowedMemoryNodes"}) {
    EXPECT_EQ(Find(*props, unified_only), nullptr) << unified_only;
  }
  CgroupResources files = FileOnlyResources(r, Layout::kHybrid);
  EXPECT_EQ(files.cpuset_cpus, "0");
  EXPECT_EQ(files.cpuset_mems, "0");
  EXPECT_FALSE(files.cpu_shares || files.cpu_quota || files.memory_limit || files.pids_limit);
  // systemd keeps a scope's blkio and devices cgroups on v1 only when the unit asks for them.
  auto scope = HybridScopeProperties();
  EXPECT_EQ(*Find(scope, "BlockIOAccounting"), (UnitProperty{"BlockIOAccounting", true}));
  EXPECT_EQ(*Find(scope, "DevicePolicy"), (UnitProperty{"DevicePolicy", std::string("closed")}));
  EXPECT_EQ(*Find(HybridSliceProperties(), "BlockIOAccounting"), (UnitProperty{"BlockIOAccounting", true}));
}

}  // namespace
}  // namespace podagent::systemd
