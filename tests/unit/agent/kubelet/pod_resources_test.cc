// RunPodSandbox's linux.resources + linux.overhead -> the pod cgroup's limits.
#include "agent/sandbox/pod_resources.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>


namespace podagent {
namespace {

using ::testing::HasSubstr;

TEST(PodResources, SumOfResourcesAndOverhead) {
  cri::LinuxPodSandboxConfig l;
  l.mutable_resources()->set_memory_limit_in_bytes(64 << 20);
  l.mutable_resources()->set_cpu_quota(50000);
  l.mutable_resources()->set_cpu_period(100000);
  l.mutable_resources()->set_cpu_shares(512);
  l.mutable_overhead()->set_memory_limit_in_bytes(16 << 20);
  l.mutable_overhead()->set_cpu_quota(5000);
  l.mutable_overhead()->set_cpu_period(50000);  // 0.1 cpu in its own period
  l.mutable_overhead()->set_cpu_shares(64);
  auto r = PodCgroupResources(l);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->memory_limit, int64_t{80 << 20});
  EXPECT_EQ(r->cpu_period, 100000);
  EXPECT_EQ(r->cpu_quota, 60000);
  EXPECT_EQ(r->cpu_shares, 576);
}

TEST(PodResources, UnboundedStaysUnboundedWhateverTheOverhead) {
  cri::LinuxPodSandboxConfig l;
  l.mutable_overhead()->set_memory_limit_in_bytes(16 << 20);
  l.mutable_overhead()->set_cpu_quota(10000);
  auto r = PodCgroupResources(l);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->memory_limit.has_value());
  EXPECT_FALSE(r->cpu_quota.has_value());
  EXPECT_FALSE(r->cpu_shares.has_value());
  auto none = PodCgroupResources(cri::LinuxPodSandboxConfig());
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->memory_limit || none->cpu_quota || none->cpu_shares || none->cpuset_cpus);
}

TEST(PodResources, BadValuesNameTheField) {
  cri::LinuxPodSandboxConfig l;
  l.mutable_overhead()->set_memory_limit_in_bytes(-1);
  auto r = PodCgroupResources(l);
  ASSERT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(r.status().message(), HasSubstr("linux.overhead"));
  cri::LinuxPodSandboxConfig c;
  c.mutable_resources()->set_cpuset_cpus("0-");
  EXPECT_EQ(PodCgroupResources(c).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace podagent
