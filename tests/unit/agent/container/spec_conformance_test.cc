// CreateContainer validation that critest and kubelet rely on: run_as_group needs a user,
// recursive_read_only needs readonly and PRIVATE propagation, SupplementalGroupsPolicy Strict
// keeps the image's groups out. Fake pods and images; nothing touches the node.
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/container/spec_builder.h"

namespace podagent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

PodInfo Pod() {
  PodInfo p;
  p.id = std::string(64, 'a');
  p.ready = true;
  p.pause_pid = 4242;
  p.netns_path = "/run/podagent/netns/aaaa";
  p.hostname = "web-0";
  return p;
}

ImageInfo Image() {
  ImageInfo i;
  i.id = "sha256:" + std::string(64, 'b');
  i.layer_dirs = {"/var/lib/podagent/layers/1"};
  i.cmd = {"sh"};
  return i;
}

SpecInputs Inputs() {
  SpecInputs in;
  in.start_time = [](pid_t pid) -> absl::StatusOr<uint64_t> { return uint64_t{1000} + pid; };  // fake pids
  in.id = std::string(64, 'c');
  in.state_dir = "/run/podagent/containers/cccc";
  in.layer_dir = "/var/lib/podagent/containers/cccc";
  in.image_passwd = "root:x:0:0::/root:/bin/sh\ndefault-user:x:1000:1000::/home/default-user:/bin/sh\n";
  in.image_group = "root:x:0:\ndefault-user:x:1000:\ngroup-defined-in-image:x:50000:default-user\n";
  return in;
}

cri::ContainerConfig Config() {
  cri::ContainerConfig c;
  c.mutable_metadata()->set_name("app");
  c.mutable_image()->set_image("busybox");
  return c;
}

cri::Mount* AddMount(cri::ContainerConfig& c, bool readonly, bool rro, cri::MountPropagation prop) {
  cri::Mount* m = c.add_mounts();
  m->set_host_path("/tmp");  // exists on every node
  m->set_container_path("/mnt");
  m->set_readonly(readonly);
  m->set_recursive_read_only(rro);
  m->set_propagation(prop);
  return m;
}

TEST(SpecConformanceTest, RunAsGroupWithoutAUserIsInvalidArgument) {
  auto c = Config();
  c.mutable_linux()->mutable_security_context()->mutable_run_as_group()->set_value(1002);
  auto b = BuildContainerSpec(c, Pod(), Image(), Inputs());
  EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(b.status().message()), HasSubstr("run_as_group"));
}

TEST(SpecConformanceTest, RunAsGroupWithAUserOrUsernameIsFine) {
  auto c = Config();
  auto* sc = c.mutable_linux()->mutable_security_context();
  sc->mutable_run_as_group()->set_value(1002);
  sc->mutable_run_as_user()->set_value(1000);
  auto b = BuildContainerSpec(c, Pod(), Image(), Inputs());
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->spec.process.gid, 1002u);
  sc->clear_run_as_user();
  sc->set_run_as_username("default-user");
  b = BuildContainerSpec(c, Pod(), Image(), Inputs());
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->spec.process.uid, 1000u);
}

TEST(SpecConformanceTest, RecursiveReadOnlyNeedsReadonly) {
  auto c = Config();
  AddMount(c, /*readonly=*/false, /*rro=*/true, cri::PROPAGATION_PRIVATE);
  auto b = BuildContainerSpec(c, Pod(), Image(), Inputs());
  EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(b.status().message()), HasSubstr("readonly"));
}

TEST(SpecConformanceTest, RecursiveReadOnlyNeedsPrivatePropagation) {
  for (auto prop : {cri::PROPAGATION_HOST_TO_CONTAINER, cri::PROPAGATION_BIDIRECTIONAL}) {
    auto c = Config();
    AddMount(c, true, true, prop);
    auto b = BuildContainerSpec(c, Pod(), Image(), Inputs());
    EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument) << prop;
    EXPECT_THAT(std::string(b.status().message()), HasSubstr("PRIVATE")) << prop;
  }
}

TEST(SpecConformanceTest, ReadonlyMountsKeepTheirRecursiveness) {
  auto c = Config();
  AddMount(c, true, false, cri::PROPAGATION_PRIVATE);
  AddMount(c, true, true, cri::PROPAGATION_PRIVATE)->set_container_path("/rro");
  auto b = BuildContainerSpec(c, Pod(), Image(), Inputs());
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->spec.mounts.size(), 2u);
  EXPECT_TRUE(b->spec.mounts[0].readonly);
  EXPECT_FALSE(b->spec.mounts[0].recursive_readonly);
  EXPECT_TRUE(b->spec.mounts[1].recursive_readonly);
}

TEST(SpecConformanceTest, SupplementalGroupsPolicy) {
  auto c = Config();
  auto* sc = c.mutable_linux()->mutable_security_context();
  sc->mutable_run_as_user()->set_value(1000);
  sc->add_supplemental_groups(1234);
  auto merge = BuildContainerSpec(c, Pod(), Image(), Inputs());
  ASSERT_TRUE(merge.ok()) << merge.status();
  EXPECT_EQ(merge->spec.process.gid, 1000u);
  EXPECT_THAT(merge->spec.process.additional_gids, ElementsAre(1000u, 50000u, 1234u));
  sc->set_supplemental_groups_policy(cri::Strict);
  auto strict = BuildContainerSpec(c, Pod(), Image(), Inputs());
  ASSERT_TRUE(strict.ok()) << strict.status();
  EXPECT_THAT(strict->spec.process.additional_gids, ElementsAre(1000u, 1234u));
}

}  // namespace
}  // namespace podagent
