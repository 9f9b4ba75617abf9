#include "runtime/container/container_spec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace podagent {
namespace {

TEST(ContainerSpecTest, JsonRoundTripKeepsEveryField) {
  ContainerSpec s;
  s.id = "c1";
  s.pod_id = "p1";
  s.state_dir = "/run/x/containers/c1";
  s.lower_dirs = {"/l/1", "/l/2"};
  s.upper_dir = "/u";
  s.work_dir = "/w";
  s.readonly_rootfs = true;
  s.mounts = {{"/src", "/dst", true, Propagation::kRSlave}, {"/a", "/b", false, Propagation::kRShared}};
  s.devices = {{"/dev/fuse", "/dev/fuse", "rw"}};
  s.masked_paths = {"/proc/kcore"};
  s.readonly_paths = {"/proc/sys"};
  s.hostname = "pod-host";
  s.hosts_path = "/run/p/hosts";
  s.shm_path = "/run/p/shm";
  s.namespaces.ipc_path = "/proc/1/ns/ipc";
  s.namespaces.net_path = "/run/netns/x";
  s.namespaces.pid_path = "/proc/9/ns/pid";
  s.process.args = {"/bin/sh", "-c", "echo hi"};
  s.process.env = {"A=1"};
  s.process.cwd = "/work";
  s.process.uid = 1000;
  s.process.gid = 1001;
  s.process.additional_gids = {29};
  s.process.capabilities = {"CAP_KILL"};
  s.process.no_new_privs = true;
  s.process.seccomp = RuntimeDefaultSeccompProfile({});
  s.process.oom_score_adj = 500;
  s.process.rlimits = {{"RLIMIT_NOFILE", 1024, 4096}};
  s.process.stdin = true;
  s.cgroup_procs_files = {"/sys/fs/cgroup/memory/x/cgroup.procs"};
  s.cgroup_namespace = true;
  s.oom_events_file = "/sys/fs/cgroup/memory/x/memory.oom_control";
  s.log_path = "/var/log/pods/x/c/0.log";

  auto back = ContainerSpecFromJson(nlohmann::json::parse(ToJson(s).dump()));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(ToJson(*back), ToJson(s));
  EXPECT_EQ(back->mounts[0].propagation, Propagation::kRSlave);
  EXPECT_EQ(back->mounts[1].propagation, Propagation::kRShared);
  EXPECT_EQ(back->process.oom_score_adj, 500);
  EXPECT_TRUE(back->cgroup_namespace);
  ASSERT_TRUE(back->process.seccomp.has_value());
}

TEST(ContainerSpecTest, MalformedJsonIsInvalidArgument) {
  auto s = ContainerSpecFromJson(nlohmann::json::parse(R"({"id": 5})"));
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ContainerSpecTest, DefaultPathsOnlyWhenEmptyAndNotPrivileged) {
  ContainerSpec s;
  ApplyDefaultPaths(s);
  EXPECT_THAT(s.masked_paths, ::testing::Contains("/proc/kcore"));
  EXPECT_THAT(s.readonly_paths, ::testing::Contains("/proc/sys"));
  ContainerSpec own;
  own.masked_paths = {"/x"};
  ApplyDefaultPaths(own);
  EXPECT_EQ(own.masked_paths, std::vector<std::string>{"/x"});
  ContainerSpec priv;
  priv.privileged = true;
  ApplyDefaultPaths(priv);
  EXPECT_TRUE(priv.masked_paths.empty());
}

}  // namespace
}  // namespace podagent
