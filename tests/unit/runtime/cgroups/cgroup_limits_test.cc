#include "runtime/cgroups/cgroup_limits.h"

#include "gtest/gtest.h"

namespace podagent::cgroup_limits {
namespace {

TEST(CgroupLimits, CpuWeightFollowsKubernetesMapping) {
  EXPECT_EQ(CpuWeightFromShares(2), 1);
  EXPECT_EQ(CpuWeightFromShares(1024), 39);  // 1 + (1022*9999)/262142
  EXPECT_EQ(CpuWeightFromShares(262144), 10000);
  EXPECT_EQ(CpuWeightFromShares(1), 1);           // clamped up
  EXPECT_EQ(CpuWeightFromShares(10000000), 10000);  // clamped down
  EXPECT_EQ(CpuWeightFromShares(512), 1 + (510 * 9999) / 262142);
}

TEST(CgroupLimits, CpuMax) {
  EXPECT_EQ(CpuMax(50000, 100000), "50000 100000");
  EXPECT_EQ(CpuMax(-1, 100000), "max 100000");
  EXPECT_EQ(CpuMax(0, 0), "max 100000");
  EXPECT_EQ(CpuMax(20000, 0), "20000 100000");
}

TEST(CgroupLimits, SwapMaxIsSwapMinusMemory) {
  EXPECT_EQ(*SwapMax(100, 300), "200");
  EXPECT_EQ(*SwapMax(100, 100), "0");
  EXPECT_EQ(*SwapMax(100, -1), "max");
  EXPECT_TRUE(absl::IsInvalidArgument(SwapMax(0, 300).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(SwapMax(300, 100).status()));
}

TEST(CgroupLimits, PidsMax) {
  EXPECT_EQ(PidsMax(0), "max");
  EXPECT_EQ(PidsMax(-1), "max");
  EXPECT_EQ(PidsMax(42), "42");
}

TEST(CgroupLimits, HugepageSizes) {
  EXPECT_TRUE(ValidateHugepageSize("2MB").ok());
  EXPECT_TRUE(ValidateHugepageSize("1GB").ok());
  EXPECT_TRUE(ValidateHugepageSize("64KB").ok());
  EXPECT_FALSE(ValidateHugepageSize("MB").ok());
  EXPECT_FALSE(ValidateHugepageSize("2mb").ok());
  EXPECT_FALSE(ValidateHugepageSize("../2MB").ok());
}

TEST(CgroupLimits, UnifiedKeys) {
  EXPECT_TRUE(ValidateUnifiedKey("memory.high").ok());
  EXPECT_TRUE(ValidateUnifiedKey("io.weight").ok());
  EXPECT_FALSE(ValidateUnifiedKey("../memory.high").ok());
  EXPECT_FALSE(ValidateUnifiedKey("a/b.c").ok());
  EXPECT_FALSE(ValidateUnifiedKey("cgroup.procs").ok());
  EXPECT_FALSE(ValidateUnifiedKey("cgroup.kill").ok());
  EXPECT_FALSE(ValidateUnifiedKey("nodot").ok());
}

}  // namespace
}  // namespace podagent::cgroup_limits
