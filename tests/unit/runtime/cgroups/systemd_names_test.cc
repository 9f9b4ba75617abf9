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

const std::string kPod(64, 'b');
const std::string kCtr(64, 'c');

TEST(SystemdNames, PodSliceNestsUnderKubeletsPodSlice) {
  // kubelet passes its pod slice by name or by path: the pod slice is one level below.
  const std::string want = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0a1b_2c3d.slice/"
                           "kubepods-burstable-pod0a1b_2c3d-pod" + kPod + ".slice";
  EXPECT_EQ(*PodSlicePath("kubepods-burstable-pod0a1b_2c3d.slice", kPod), want);
  EXPECT_EQ(*PodSlicePath("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0a1b_2c3d.slice", kPod),
            want);
  EXPECT_EQ(*PodSlicePath("-.slice", kPod), "/pod" + kPod + ".slice");
  EXPECT_EQ(*PodSlicePath("/", kPod), "/pod" + kPod + ".slice");
}

TEST(SystemdNames, PodSliceRefusesWhatIsNotASlice) {
  struct Case {
    const char* parent;
    const char* why;
  } cases[] = {
      {"/kubepods/burstable", "not a slice"},        // a cgroupfs parent
      {"/kubepods.slice/x-y.slice", "not where systemd puts x-y.slice"},  // x-y lives in x.slice
      {"kube--pods.slice", "double dash"},
      {"", "not a slice"},
  };
  for (const auto& c : cases) {
    auto path = PodSlicePath(c.parent, kPod);
    EXPECT_TRUE(absl::IsInvalidArgument(path.status())) << c.parent << ": " << path.status();
    EXPECT_THAT(std::string(path.status().message()), HasSubstr(c.why)) << c.parent;
  }
  EXPECT_TRUE(absl::IsInvalidArgument(PodSlicePath("kubepods.slice", "Pod1").status()));
}

TEST(SystemdNames, PauseAndContainerAreScopesInThePodSlice) {
  const std::string pod = *PodSlicePath("kubepods.slice", kPod);
  EXPECT_EQ(*PauseScopePath(pod, kPod), pod + "/podagent-" + kPod + "-pause.scope");
  EXPECT_EQ(*ContainerScopePath(pod, kCtr), pod + "/podagent-" + kCtr + ".scope");
  EXPECT_FALSE(ContainerScopePath(pod, "../x").ok());
  EXPECT_FALSE(PauseScopePath(pod, "").ok());
}

TEST(SystemdNames, OnlyPodagentsPodSlicesAreOwned) {
  EXPECT_TRUE(IsPodagentPodSlice("kubepods-burstable-pod0a1b_2c3d-pod" + kPod + ".slice"));
  EXPECT_TRUE(IsPodagentPodSlice("pod" + kPod + ".slice"));
  EXPECT_FALSE(IsPodagentPodSlice("kubepods-burstable-pod0a1b_2c3d.slice")) << "kubelet's";
  EXPECT_FALSE(IsPodagentPodSlice("kubepods-pod1.slice")) << "a short id is not podagent's";
  EXPECT_FALSE(IsPodagentPodSlice("kubepods.slice"));
  EXPECT_FALSE(IsPodagentPodSlice("-.slice"));
  EXPECT_FALSE(IsPodagentPodSlice("podagent-" + kCtr + ".scope"));
}

TEST(SystemdNames, UnitOfAPathIsItsLastComponentUnescaped) {
  EXPECT_EQ(UnitOfPath("/kubepods.slice/kubepods-pod1.slice"), "kubepods-pod1.slice");
  EXPECT_EQ(UnitOfPath("/a.slice/podagent-1.scope"), "podagent-1.scope");
  EXPECT_EQ(UnitOfPath("/_cpu.slice"), "cpu.slice");
  EXPECT_EQ(UnitOfPath("/a.slice/podagent-1.scope/sub"), "");
  EXPECT_EQ(UnitOfPath("/podagent/pod1"), "");
}

}  // namespace
}  // namespace podagent::systemd
