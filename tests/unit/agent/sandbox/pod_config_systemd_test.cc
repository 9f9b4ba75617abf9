// cgroup_parent under cgroup_driver systemd: kubelet sends a slice name, and a path (what a
// kubelet on cgroupfs sends) is refused with InvalidArgument naming the rule; cgroupfs keeps
// refusing slices.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/sandbox/pod_config.h"

namespace podagent {
namespace {

using ::testing::HasSubstr;

cri::PodSandboxConfig WithParent(const std::string& parent) {
  cri::PodSandboxConfig c;
  c.mutable_metadata()->set_name("web");
  c.mutable_metadata()->set_namespace_("default");
  c.mutable_metadata()->set_uid("uid-1");
  c.mutable_linux()->set_cgroup_parent(parent);
  return c;
}

Config Driver(const std::string& driver, const std::string& parent) {
  Config cfg;
  cfg.cgroup_driver = driver;
  cfg.cgroup_parent = parent;
  return cfg;
}

TEST(PodConfigSystemd, SliceNamesPass) {
  Config cfg = Driver("systemd", "podagent.slice");
  auto r = PodRecordFromConfig(WithParent("kubepods-burstable-pod0a1b_2c.slice"), "", cfg);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cgroup_parent, "kubepods-burstable-pod0a1b_2c.slice");
  r = PodRecordFromConfig(WithParent(""), "", cfg);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cgroup_parent, "podagent.slice") << "the configured default";
}

TEST(PodConfigSystemd, MalformedSlicesAndPathsAreInvalidArgument) {
  Config cfg = Driver("systemd", "podagent.slice");
  for (const char* bad : {"/kubepods/burstable/pod1", "kubepods--x.slice", "-kubepods.slice", "kubepods-.slice",
                          "kubepods-burstable", "kube/pods.slice"}) {
    auto r = PodRecordFromConfig(WithParent(bad), "", cfg);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(r.status().message()), HasSubstr("cgroup_driver is systemd")) << bad;
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(bad)) << bad;
  }
}

TEST(PodConfigSystemd, CgroupfsStillRefusesSlices) {
  Config cfg = Driver("cgroupfs", "/podagent");
  EXPECT_TRUE(absl::IsInvalidArgument(PodRecordFromConfig(WithParent("kubepods.slice"), "", cfg).status()));
  EXPECT_TRUE(PodRecordFromConfig(WithParent("/kubepods/burstable/pod1"), "", cfg).ok());
}

}  // namespace
}  // namespace podagent
