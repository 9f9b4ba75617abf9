// CRI devices and privileged -> the container cgroup's device rules (CgroupResources.devices):
// deny-by-default plus the standard nodes, each grant with its own permissions, every device for
// privileged, and bad permissions refused. Node numbers come from this machine's /dev/null and
// /dev/zero (stat), the kernel's truth for the grant.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "agent/container/spec_builder.h"
#include "tests/lib/spec_fakes.h"
#include "runtime/cgroups/device_rules.h"

namespace podagent {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using specfakes::FakePod;
using specfakes::FakeImage;
using specfakes::FakeInputs;
using specfakes::FakeConfig;

std::vector<std::string> Lines(const std::optional<std::vector<DeviceRule>>& rules) {
  std::vector<std::string> out;
  if (rules) {
    for (const DeviceRule& r : *rules) out.push_back(DeviceRuleLine(r));
  }
  return out;
}

std::string NodeLine(const char* path, const char* access) {
  struct stat st {};
  EXPECT_EQ(::stat(path, &st), 0) << path;
  return absl::StrCat("c ", major(st.st_rdev), ":", minor(st.st_rdev), " ", access);
}

std::vector<std::string> DefaultLines() { return Lines(DefaultDeviceRules()); }

TEST(DeviceRulesSpecTest, DefaultContainerGetsOnlyTheStandardNodes) {
  auto b = BuildContainerSpec(FakeConfig(), FakePod(), FakeImage(), FakeInputs());
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_TRUE(b->resources.devices.has_value()) << "no device rules: every device would be allowed";
  EXPECT_THAT(Lines(b->resources.devices), ElementsAreArray(DefaultLines()));
}

TEST(DeviceRulesSpecTest, GrantsKeepTheirPermissions) {
  auto c = FakeConfig();
  auto* ro = c.add_devices();
  ro->set_host_path("/dev/null");
  ro->set_container_path("/dev/mynull");
  ro->set_permissions("r");
  auto* def = c.add_devices();
  def->set_host_path("/dev/zero");  // no permissions: rwm, no container path: the host's
  auto b = BuildContainerSpec(c, FakePod(), FakeImage(), FakeInputs());
  ASSERT_TRUE(b.ok()) << b.status();
  std::vector<std::string> want = DefaultLines();
  want.push_back(NodeLine("/dev/null", "r"));
  want.push_back(NodeLine("/dev/zero", "rwm"));
  EXPECT_THAT(Lines(b->resources.devices), ElementsAreArray(want));
  ASSERT_EQ(b->spec.devices.size(), 2u);
  EXPECT_EQ(b->spec.devices[1].container_path, "/dev/zero");
}

TEST(DeviceRulesSpecTest, PrivilegedGetsEveryDevice) {
  auto c = FakeConfig();
  c.mutable_linux()->mutable_security_context()->set_privileged(true);
  auto b = BuildContainerSpec(c, FakePod(), FakeImage(), FakeInputs());
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_THAT(Lines(b->resources.devices), ElementsAreArray({"a *:* rwm"}));
  EXPECT_TRUE(b->spec.privileged);
}

TEST(DeviceRulesSpecTest, BadPermissionsAreInvalidArgument) {
  for (const char* bad : {"rwx", "rr", "q"}) {
    auto c = FakeConfig();
    auto* d = c.add_devices();
    d->set_host_path("/dev/null");
    d->set_permissions(bad);
    auto b = BuildContainerSpec(c, FakePod(), FakeImage(), FakeInputs());
    EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(std::string(b.status().message()), HasSubstr("/dev/null")) << bad;
  }
}

}  // namespace
}  // namespace podagent
