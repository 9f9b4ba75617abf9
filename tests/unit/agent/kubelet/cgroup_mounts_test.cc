// The container's /sys/fs/cgroup (podagent-shim), from the cgroup.procs files it joins.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/shim/cgroup_view.h"

namespace podagent::shim {
namespace {

TEST(CgroupMounts, OneBindPerV1Hierarchy) {
  auto m = CgroupMountsFor(false, "/sys/fs/cgroup",
                           {"/sys/fs/cgroup/memory/podagent/podA/c1/cgroup.procs",
                            "/sys/fs/cgroup/cpu,cpuacct/podagent/podA/c1/cgroup.procs",
                            "/sys/fs/cgroup/systemd/podagent/podA/c1/cgroup.procs"});
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->size(), 3u);
  EXPECT_EQ((*m)[0].name, "memory");
  EXPECT_EQ((*m)[0].host_dir, "/sys/fs/cgroup/memory/podagent/podA/c1");
  EXPECT_EQ((*m)[1].name, "cpu,cpuacct");
  EXPECT_EQ((*m)[2].name, "systemd");
}

TEST(CgroupMounts, V2IsTheOneDirectory) {
  auto m = CgroupMountsFor(true, "/sys/fs/cgroup", {"/sys/fs/cgroup/podagent/podA/c1/cgroup.procs"});
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->size(), 1u);
  EXPECT_EQ((*m)[0].name, "");
  EXPECT_EQ((*m)[0].host_dir, "/sys/fs/cgroup/podagent/podA/c1");
}

TEST(CgroupMounts, FilesOutsideTheRootAreRefused) {
  EXPECT_FALSE(CgroupMountsFor(false, "/sys/fs/cgroup", {"/tmp/x/cgroup.procs"}).ok());
  EXPECT_FALSE(CgroupMountsFor(false, "/sys/fs/cgroup", {"/sys/fs/cgroup/memory/x/tasks"}).ok());
  EXPECT_FALSE(CgroupMountsFor(false, "/sys/fs/cgroup", {"/sys/fs/cgroup/cgroup.procs"}).ok());
  EXPECT_FALSE(CgroupMountsFor(true, "/sys/fs/cgroup", {"/sys/fs/cgroup/a/cgroup.procs", "/sys/fs/cgroup/b/cgroup.procs"}).ok());
}

TEST(CgroupMounts, NamespaceOnlyWhenAskedAndJoiningACgroup) {
  ContainerSpec s;
  s.cgroup_namespace = true;
  EXPECT_FALSE(WantsCgroupNamespace(s));
  s.cgroup_procs_files = {"/sys/fs/cgroup/x/cgroup.procs"};
  EXPECT_TRUE(WantsCgroupNamespace(s));
  s.cgroup_namespace = false;
  EXPECT_FALSE(WantsCgroupNamespace(s));
}

}  // namespace
}  // namespace podagent::shim
