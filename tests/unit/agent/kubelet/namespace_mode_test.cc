// NamespaceMode for a container's pid namespace, as the CRI defines it, in the spec the shim gets:
// POD joins the pause's (pause is PID 1 there), CONTAINER makes a new one, NODE keeps the host's,
// TARGET joins a running container's. UTS stays per container with the pod's hostname.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/container/spec_builder.h"
#include "tests/lib/spec_fakes.h"

namespace podagent {
namespace {

using ::testing::HasSubstr;
using specfakes::FakePod;
using specfakes::FakeImage;
using specfakes::FakeInputs;

PodInfo Pod(NsMode pod_pid_mode) {
  PodInfo p = FakePod();
  p.pid_mode = pod_pid_mode;
  // As PodRecord::ToPodInfo fills it: only a POD-mode pod names its pid ns.
  if (pod_pid_mode == NsMode::kPod) p.pid_ns_path = "/proc/4242/ns/pid";
  return p;
}

ImageInfo Image() { return FakeImage({"sleep", "1"}); }

cri::ContainerConfig WithPid(cri::NamespaceMode mode, const std::string& target = "") {
  cri::ContainerConfig c;
  c.mutable_metadata()->set_name("app");
  auto* ns = c.mutable_linux()->mutable_security_context()->mutable_namespace_options();
  ns->set_pid(mode);
  ns->set_target_id(target);
  return c;
}

TEST(NamespaceMode, ExplicitPodJoinsThePausesPidNamespaceWhateverThePodAsked) {
  for (NsMode pod_mode : {NsMode::kPod, NsMode::kContainer}) {
    auto b = BuildContainerSpec(WithPid(cri::POD), Pod(pod_mode), Image(), FakeInputs());
    ASSERT_TRUE(b.ok()) << b.status();
    EXPECT_EQ(b->spec.namespaces.pid_path, "/proc/4242/ns/pid");
    EXPECT_FALSE(b->spec.namespaces.host_pid);
  }
}

TEST(NamespaceMode, ContainerGetsItsOwnAndNodeTheHosts) {
  auto own = BuildContainerSpec(WithPid(cri::CONTAINER), Pod(NsMode::kContainer), Image(), FakeInputs());
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->spec.namespaces.pid_path, "");
  EXPECT_FALSE(own->spec.namespaces.host_pid);
  auto node = BuildContainerSpec(WithPid(cri::NODE), Pod(NsMode::kNode), Image(), FakeInputs());
  ASSERT_TRUE(node.ok()) << node.status();
  EXPECT_EQ(node->spec.namespaces.pid_path, "");
  EXPECT_TRUE(node->spec.namespaces.host_pid);
}

TEST(NamespaceMode, TargetJoinsTheTargetsAndPassesItsErrorsOn) {
  SpecInputs in = FakeInputs();
  std::string asked;
  in.target_pid = [&](const std::string& id) -> absl::StatusOr<pid_t> {
    asked = id;
    if (id == "gone") return absl::NotFoundError("pid namespace target container gone not found");
    if (id == "stopped") return absl::FailedPreconditionError("pid namespace target container stopped is exited");
    return 777;
  };
  auto b = BuildContainerSpec(WithPid(cri::TARGET, "main"), Pod(NsMode::kContainer), Image(), in);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(asked, "main");
  EXPECT_EQ(b->spec.namespaces.pid_path, "/proc/777/ns/pid");
  EXPECT_EQ(BuildContainerSpec(WithPid(cri::TARGET, "gone"), Pod(NsMode::kContainer), Image(), in).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(BuildContainerSpec(WithPid(cri::TARGET, "stopped"), Pod(NsMode::kContainer), Image(), in).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(NamespaceMode, UtsIsPerContainerWithThePodsHostnameUnlessHostNetwork) {
  auto b = BuildContainerSpec(WithPid(cri::CONTAINER), Pod(NsMode::kContainer), Image(), FakeInputs());
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_FALSE(b->spec.namespaces.host_uts);
  EXPECT_EQ(b->spec.hostname, "web-0");
  PodInfo host = Pod(NsMode::kContainer);
  host.net_mode = NsMode::kNode;
  host.netns_path.clear();
  auto h = BuildContainerSpec(WithPid(cri::CONTAINER), host, Image(), FakeInputs());
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_TRUE(h->spec.namespaces.host_uts);
}

}  // namespace
}  // namespace podagent
