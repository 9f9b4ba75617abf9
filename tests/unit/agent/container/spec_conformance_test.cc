// CreateContainer validation that critest and kubelet rely on: run_as_group needs a user,
// recursive_read_only needs readonly and PRIVATE propagation, SupplementalGroupsPolicy Strict
// keeps the image's groups out. Fake pods and images; nothing touches the node.
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/container/spec_builder.h"
#include "tests/lib/spec_fakes.h"

namespace podagent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using specfakes::FakePod;
using specfakes::FakeImage;
using specfakes::FakeInputs;
using specfakes::FakeConfig;

// The image's users and groups: a default user in a group of the image's own.
SpecInputs Inputs() {
  return FakeInputs("root:x:0:0::/root:/bin/sh\ndefault-user:x:1000:1000::/home/default-user:/bin/sh\n",
                    "root:x:0:\ndefault-user:x:1000:\ngroup-defined-in-image:x:50000:default-user\n");
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
  auto c = FakeConfig();
  c.mutable_linux()->mutable_security_context()->mutable_run_as_group()->set_value(1002);
  auto b = BuildContainerSpec(c, FakePod(), FakeImage(), Inputs());
  EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(b.status().message()), HasSubstr("run_as_group"));
}

TEST(SpecConformanceTest, RunAsGroupWithAUserOrUsernameIsFine) {
  auto c = FakeConfig();
  auto* sc = c.mutable_linux()->mutable_security_context();
  sc->mutable_run_as_group()->set_value(1002);
  sc->mutable_run_as_user()->set_value(1000);
  auto b = BuildContainerSpec(c, FakePod(), FakeImage(), Inputs());
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->spec.process.gid, 1002u);
  sc->clear_run_as_user();
  sc->set_run_as_username("default-user");
  b = BuildContainerSpec(c, FakePod(), FakeImage(), Inputs());
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->spec.process.uid, 1000u);
}

TEST(SpecConformanceTest, RecursiveReadOnlyNeedsReadonly) {
  auto c = FakeConfig();
  AddMount(c, /*readonly=*/false, /*rro=*/true, cri::PROPAGATION_PRIVATE);
  auto b = BuildContainerSpec(c, FakePod(), FakeImage(), Inputs());
  EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(b.status().message()), HasSubstr("readonly"));
}

TEST(SpecConformanceTest, RecursiveReadOnlyNeedsPrivatePropagation) {
  for (auto prop : {cri::PROPAGATION_HOST_TO_CONTAINER, cri::PROPAGATION_BIDIRECTIONAL}) {
    auto c = FakeConfig();
    AddMount(c, true, true, prop);
    auto b = BuildContainerSpec(c, FakePod(), FakeImage(), Inputs());
    EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument) << prop;
    EXPECT_THAT(std::string(b.status().message()), HasSubstr("PRIVATE")) << prop;
  }
}

TEST(SpecConformanceTest, ReadonlyMountsKeepTheirRecursiveness) {
  auto c = FakeConfig();
  AddMount(c, true, false, cri::PROPAGATION_PRIVATE);
  AddMount(c, true, true, cri::PROPAGATION_PRIVATE)->set_container_path("/rro");
  auto b = BuildContainerSpec(c, FakePod(), FakeImage(), Inputs());
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->spec.mounts.size(), 2u);
  EXPECT_TRUE(b->spec.mounts[0].readonly);
  EXPECT_FALSE(b->spec.mounts[0].recursive_readonly);
  EXPECT_TRUE(b->spec.mounts[1].recursive_readonly);
}

TEST(SpecConformanceTest, SupplementalGroupsPolicy) {
  auto c = FakeConfig();
  auto* sc = c.mutable_linux()->mutable_security_context();
  sc->mutable_run_as_user()->set_value(1000);
  sc->add_supplemental_groups(1234);
  auto merge = BuildContainerSpec(c, FakePod(), FakeImage(), Inputs());
  ASSERT_TRUE(merge.ok()) << merge.status();
  EXPECT_EQ(merge->spec.process.gid, 1000u);
  EXPECT_THAT(merge->spec.process.additional_gids, ElementsAre(1000u, 50000u, 1234u));
  sc->set_supplemental_groups_policy(cri::Strict);
  auto strict = BuildContainerSpec(c, FakePod(), FakeImage(), Inputs());
  ASSERT_TRUE(strict.ok()) << strict.status();
  EXPECT_THAT(strict->spec.process.additional_gids, ElementsAre(1000u, 1234u));
}

}  // namespace
}  // namespace podagent
