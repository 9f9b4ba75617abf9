// Slice and scope names as systemd defines them (systemd.unit(5), systemd.slice(5)): the expected
// paths are systemd's dash-expansion, e.g. "foo-bar.slice" lives in foo.slice, which lives in
// -.slice, so its cgroup is /foo.slice/foo-bar.slice.
#include "runtime/cgroups/systemd_names.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace podagent::systemd {
namespace {

using ::testing::HasSubstr;

TEST(SystemdNames, KubeletSliceExpandsDashByDash) {
  auto path = SliceCgroupPath("kubepods-burstable-pod1234.slice");
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice");
  EXPECT_EQ(*SliceCgroupPath("kubepods.slice"), "/kubepods.slice");
  // kubelet turns a pod uid's dashes into underscores: they stay inside one component.
  EXPECT_EQ(*SliceCgroupPath("kubepods-besteffort-pod0a1b_2c3d.slice"),
            "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0a1b_2c3d.slice");
}

TEST(SystemdNames, RootSliceIsTheRoot) {
  EXPECT_TRUE(ValidateSliceName("-.slice").ok());
  EXPECT_EQ(*SliceCgroupPath("-.slice"), "/");
}

TEST(SystemdNames, NamesThatCouldShadowKernelFilesAreEscaped) {
  // systemd's cg_escape: "cpu.slice" would read like a cpu controller file.
  EXPECT_EQ(*SliceCgroupPath("cpu.slice"), "/_cpu.slice");
  EXPECT_EQ(*SliceCgroupPath("cpu-a.slice"), "/_cpu.slice/cpu-a.slice");
  EXPECT_EQ(*SliceCgroupPath("_x.slice"), "/__x.slice");
}

TEST(SystemdNames, MalformedSlicesAreRefusedWithTheRule) {
  struct Case {
    const char* name;
    const char* why;
  } cases[] = {
      {"kubepods-burstable-pod1234", "no \".slice\" suffix"},
      {"-kubepods.slice", "dash"},
      {"kubepods-.slice", "dash"},
      {"kubepods--burstable.slice", "double dash"},
      {".slice", "empty name"},
      {"", "no \".slice\" suffix"},
      {"/kubepods/burstable", "character"},
      {"kube pods.slice", "character"},
      {"kubepods/x.slice", "character"},
      {"podagent-abc.scope", "not a slice"},
  };
  for (const auto& c : cases) {
    absl::Status st = ValidateSliceName(c.name);
    EXPECT_TRUE(absl::IsInvalidArgument(st)) << c.name << ": " << st;
    EXPECT_THAT(std::string(st.message()), HasSubstr(c.why)) << c.name;
    EXPECT_FALSE(SliceCgroupPath(c.name).ok()) << c.name;
  }
  std::string long_name(249, 'a');  // + ".slice" = 255 bytes
  EXPECT_TRUE(ValidateSliceName(long_name + ".slice").ok()) << "255 bytes is the limit, inclusive: "
                                                            << ValidateSliceName(long_name + ".slice");
  EXPECT_THAT(std::string(ValidateSliceName(long_name + "a.slice").message()), HasSubstr("longer than 255"));
}

TEST(SystemdNames, ContainerScope) {
  std::string id(64, 'a');
  EXPECT_EQ(*ScopeName(id), "podagent-" + id + ".scope");
  EXPECT_TRUE(absl::IsInvalidArgument(ScopeName("").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ScopeName(id + "a").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ScopeName("ABC").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ScopeName("../x").status()));
}

}  // namespace
}  // namespace podagent::systemd
