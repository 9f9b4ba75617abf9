// CreateContainerRequest -> ContainerSpec conversion and validation, with fake pods and images.

#include "agent/container/spec_builder.h"

#include <unistd.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "agent/container/container_resources.h"
#include "tests/lib/spec_fakes.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

using specfakes::FakePod;

// An nginx-like image: entrypoint and cmd, a working dir, a named user, a stop signal.
ImageInfo FakeImage() {
  ImageInfo i = specfakes::FakeImage({"nginx", "-g", "daemon off;"});
  i.layer_dirs.push_back("/var/lib/podagent/layers/2");
  i.entrypoint = {"/docker-entrypoint.sh"};
  i.env = {"PATH=/usr/bin:/bin", "NGINX_VERSION=1.25"};
  i.working_dir = "/srv";
  i.user = "app";
  i.stop_signal = "SIGQUIT";
  return i;
}

SpecInputs FakeInputs() {
  SpecInputs in = specfakes::FakeInputs(specfakes::kAppPasswd, specfakes::kAppGroup);
  in.cgroup_procs_files = {"/sys/fs/cgroup/memory/podagent/podaaaa/cccc/cgroup.procs"};
  in.own_oom_score_adj = -500;
  return in;
}

cri::ContainerConfig BaseConfig() {
  cri::ContainerConfig c;
  c.mutable_metadata()->set_name("web");
  c.mutable_image()->set_image("nginx:1.25");
  c.set_log_path("web/0.log");
  return c;
}

TEST(SpecBuilderTest, DefaultsFromPodAndImage) {
  auto b = BuildContainerSpec(BaseConfig(), FakePod(), FakeImage(), FakeInputs());
  ASSERT_TRUE(b.ok()) << b.status();
  const ContainerSpec& s = b->spec;
  EXPECT_THAT(s.process.args, ElementsAre("/docker-entrypoint.sh", "nginx", "-g", "daemon off;"));
  EXPECT_EQ(s.process.cwd, "/srv");
  EXPECT_EQ(s.process.uid, 101u);
  EXPECT_EQ(s.process.gid, 101u);
  EXPECT_THAT(s.process.env, Contains("HOME=/home/app"));
  EXPECT_THAT(s.process.env, Contains("NGINX_VERSION=1.25"));
  EXPECT_EQ(s.lower_dirs, FakeImage().layer_dirs);
  EXPECT_EQ(s.upper_dir, "/var/lib/podagent/containers/cccc/upper");
  EXPECT_EQ(s.hostname, "web-0");
  EXPECT_EQ(s.namespaces.net_path, "/run/podagent/netns/aaaa");
  EXPECT_EQ(s.namespaces.ipc_path, "/proc/4242/ns/ipc");
  EXPECT_EQ(s.namespaces.pid_path, "");  // no namespace options: the container's own
  EXPECT_FALSE(s.namespaces.host_pid);
  EXPECT_EQ(b->log_path, "/var/log/pods/ns_web-0_uid/web/0.log");
  EXPECT_EQ(s.log_path, b->log_path);
  EXPECT_EQ(s.process.capabilities.size(), 14u);
  EXPECT_FALSE(s.process.seccomp.has_value());  // no profile asked: unconfined
  EXPECT_THAT(s.masked_paths, Contains("/proc/kcore"));
  EXPECT_EQ(s.cgroup_procs_files, FakeInputs().cgroup_procs_files);
  EXPECT_FALSE(s.cgroup_namespace);  // not asked by the inputs
}

TEST(SpecBuilderTest, CgroupNamespaceOnlyWithACgroupToRootItAt) {
  SpecInputs in = FakeInputs();
  in.cgroup_namespace = true;
  auto b = BuildContainerSpec(BaseConfig(), FakePod(), FakeImage(), in);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_TRUE(b->spec.cgroup_namespace);
  in.cgroup_procs_files.clear();
  b = BuildContainerSpec(BaseConfig(), FakePod(), FakeImage(), in);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_FALSE(b->spec.cgroup_namespace);
}

TEST(SpecBuilderTest, CommandArgsEnvUserAndSecurity) {
  auto c = BaseConfig();
  c.add_command("/bin/sh");
  c.add_args("-c");
  c.add_args("sleep 1");
  auto* kv = c.add_envs();
  kv->set_key("NGINX_VERSION");
  kv->set_value("override");
  c.set_working_dir("/work");
  auto* sc = c.mutable_linux()->mutable_security_context();
  sc->mutable_run_as_user()->set_value(0);
  sc->mutable_run_as_group()->set_value(7);
  sc->add_supplemental_groups(44);
  sc->mutable_capabilities()->add_add_capabilities("NET_ADMIN");
  sc->mutable_capabilities()->add_drop_capabilities("CHOWN");
  sc->set_no_new_privs(true);
  sc->set_readonly_rootfs(true);
  sc->mutable_seccomp()->set_profile_type(cri::SecurityProfile::RuntimeDefault);
  sc->mutable_namespace_options()->set_pid(cri::POD);
  auto b = BuildContainerSpec(c, FakePod(), FakeImage(), FakeInputs());
  ASSERT_TRUE(b.ok()) << b.status();
  const ProcessSpec& p = b->spec.process;
  EXPECT_THAT(p.args, ElementsAre("/bin/sh", "-c", "sleep 1"));
  EXPECT_THAT(p.env, Contains("NGINX_VERSION=override"));
  EXPECT_EQ(p.cwd, "/work");
  EXPECT_EQ(p.uid, 0u);
  EXPECT_EQ(p.gid, 7u);
  EXPECT_THAT(p.additional_gids, ElementsAre(7u, 44u));
  EXPECT_THAT(p.capabilities, Contains("CAP_NET_ADMIN"));
  EXPECT_THAT(p.capabilities, Not(Contains("CAP_CHOWN")));
  EXPECT_TRUE(p.no_new_privs);
  EXPECT_TRUE(b->spec.readonly_rootfs);
  ASSERT_TRUE(p.seccomp.has_value());
  EXPECT_EQ(p.seccomp->default_action, "SCMP_ACT_ERRNO");  // an allow list
  EXPECT_EQ(b->spec.namespaces.pid_path, "/proc/4242/ns/pid");
}

TEST(SpecBuilderTest, HostNamespaces) {
  auto pod = FakePod();
  pod.net_mode = NsMode::kNode;
  pod.ipc_mode = NsMode::kNode;
  pod.netns_path.clear();
  auto c = BaseConfig();
  c.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_pid(cri::NODE);
  auto b = BuildContainerSpec(c, pod, FakeImage(), FakeInputs());
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->spec.namespaces.net_path, "");
  EXPECT_EQ(b->spec.namespaces.ipc_path, "");
  EXPECT_TRUE(b->spec.namespaces.host_pid);
  EXPECT_TRUE(b->spec.namespaces.host_uts);
}

TEST(SpecBuilderTest, TargetPidNamespace) {
  auto c = BaseConfig();
  auto* o = c.mutable_linux()->mutable_security_context()->mutable_namespace_options();
  o->set_pid(cri::TARGET);
  o->set_target_id("other");
  auto in = FakeInputs();
  in.target_pid = [](const std::string& id) -> absl::StatusOr<pid_t> {
    if (id == "other") return 777;
    return absl::NotFoundError("no");
  };
  auto b = BuildContainerSpec(c, FakePod(), FakeImage(), in);
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->spec.namespaces.pid_path, "/proc/777/ns/pid");
  o->set_target_id("missing");
  EXPECT_EQ(BuildContainerSpec(c, FakePod(), FakeImage(), in).status().code(), absl::StatusCode::kNotFound);
}

// Every /proc/PID/ns path in the spec comes with its process's start time, for the shim to check
// that the pid still names that process when it opens them.
TEST(SpecBuilderTest, ProcNamespacePathsCarryTheirOwners) {
  auto c = BaseConfig();
  auto* o = c.mutable_linux()->mutable_security_context()->mutable_namespace_options();
  o->set_pid(cri::TARGET);
  o->set_target_id("other");
  auto in = FakeInputs();
  in.target_pid = [](const std::string&) -> absl::StatusOr<pid_t> { return 777; };
  auto b = BuildContainerSpec(c, FakePod(), FakeImage(), in);
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->spec.namespaces.owners.size(), 2u);  // the pause (ipc) and the target (pid)
  EXPECT_EQ(b->spec.namespaces.owners[0].pid, 4242);
  EXPECT_EQ(b->spec.namespaces.owners[0].start_time, 1000u + 4242u);
  EXPECT_EQ(b->spec.namespaces.owners[1].pid, 777);
  EXPECT_EQ(b->spec.namespaces.owners[1].start_time, 1000u + 777u);

  in.start_time = [](pid_t pid) -> absl::StatusOr<uint64_t> {
    if (pid == 4242) return absl::NotFoundError("gone");
    return uint64_t{1};
  };
  auto gone = BuildContainerSpec(c, FakePod(), FakeImage(), in);
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(gone.status().message()), HasSubstr("pause process"));
}

TEST(SpecBuilderTest, MountsAndPropagation) {
  testing::TempDir tmp("podagent-specb");
  const std::string& dir = tmp.path();
  auto c = BaseConfig();
  auto* m = c.add_mounts();
  m->set_host_path(dir);
  m->set_container_path("/data");
  m->set_readonly(true);
  m->set_propagation(cri::PROPAGATION_HOST_TO_CONTAINER);
  auto b = BuildContainerSpec(c, FakePod(), FakeImage(), FakeInputs());
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_EQ(b->spec.mounts.size(), 1u);
  EXPECT_EQ(b->spec.mounts[0].destination, "/data");
  EXPECT_TRUE(b->spec.mounts[0].readonly);
  EXPECT_EQ(b->spec.mounts[0].propagation, Propagation::kRSlave);
}

TEST(SpecBuilderTest, BadInputIsRejectedWithClearMessage) {
  struct Case {
    const char* what;
    std::function<void(cri::ContainerConfig&)> mutate;
    absl::StatusCode code;
    const char* needle;
  };
  std::vector<Case> cases = {
      {"absolute log path", [](auto& c) { c.set_log_path("/etc/cron.d/x"); },
       absl::StatusCode::kInvalidArgument, "/etc/cron.d/x"},
      {"log path climbing out", [](auto& c) { c.set_log_path("web/../../../etc/cron.d/x"); },
       absl::StatusCode::kInvalidArgument, "\"..\""},
      {"log path naming a directory", [](auto& c) { c.set_log_path("web/"); },
       absl::StatusCode::kInvalidArgument, "names no file"},
      {"missing mount source", [](auto& c) {
         auto* m = c.add_mounts();
         m->set_host_path("/nonexistent/podagent-src");
         m->set_container_path("/data");
       }, absl::StatusCode::kInvalidArgument, "/nonexistent/podagent-src"},
      {"relative mount source", [](auto& c) {
         auto* m = c.add_mounts();
         m->set_host_path("rel/path");
         m->set_container_path("/data");
       }, absl::StatusCode::kInvalidArgument, "rel/path"},
      {"relative container path", [](auto& c) {
         auto* m = c.add_mounts();
         m->set_host_path("/tmp");
         m->set_container_path("data");
       }, absl::StatusCode::kInvalidArgument, "data"},
      {"missing seccomp profile", [](auto& c) {
         auto* s = c.mutable_linux()->mutable_security_context()->mutable_seccomp();
         s->set_profile_type(cri::SecurityProfile::Localhost);
         s->set_localhost_ref("/nonexistent/profile.json");
       }, absl::StatusCode::kInvalidArgument, "/nonexistent/profile.json"},
      {"relative seccomp profile", [](auto& c) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
         c.mutable_linux()->mutable_security_context()->set_seccomp_profile_path("localhost/rel.json");
#pragma GCC diagnostic pop
       }, absl::StatusCode::kInvalidArgument, "rel.json"},
      {"negative memory", [](auto& c) { c.mutable_linux()->mutable_resources()->set_memory_limit_in_bytes(-5); },
       absl::StatusCode::kInvalidArgument, "memory_limit_in_bytes"},
      {"bad cpuset", [](auto& c) { c.mutable_linux()->mutable_resources()->set_cpuset_cpus("0-a"); },
       absl::StatusCode::kInvalidArgument, "cpuset_cpus"},
      {"unknown capability", [](auto& c) {
         c.mutable_linux()->mutable_security_context()->mutable_capabilities()->add_add_capabilities("FLY");
       }, absl::StatusCode::kInvalidArgument, "FLY"},
      {"unknown user", [](auto& c) { c.mutable_linux()->mutable_security_context()->set_run_as_username("ghost"); },
       absl::StatusCode::kInvalidArgument, "ghost"},
      {"not a device", [](auto& c) {
         auto* d = c.add_devices();
         d->set_host_path("/etc/hostname");
         d->set_container_path("/dev/x");
       }, absl::StatusCode::kInvalidArgument, "/etc/hostname"},
  };
  for (const auto& tc : cases) {
    auto c = BaseConfig();
    tc.mutate(c);
    auto b = BuildContainerSpec(c, FakePod(), FakeImage(), FakeInputs());
    EXPECT_EQ(b.status().code(), tc.code) << tc.what << ": " << b.status();
    EXPECT_THAT(std::string(b.status().message()), HasSubstr(tc.needle)) << tc.what;
  }
}

// kubectl run -it: tty with stdin and stdin_once reaches the shim's spec as given.
TEST(SpecBuilderTest, TtyWithStdinReachesTheSpec) {
  auto c = BaseConfig();
  c.set_tty(true);
  c.set_stdin(true);
  c.set_stdin_once(true);
  auto b = BuildContainerSpec(c, FakePod(), FakeImage(), FakeInputs());
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_TRUE(b->spec.process.tty);
  EXPECT_TRUE(b->spec.process.stdin);
  EXPECT_TRUE(b->spec.process.stdin_once);
  auto back = ContainerSpecFromJson(ToJson(b->spec));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->process.tty) << "spec.json must carry tty to podagent-shim";
  EXPECT_FALSE(BuildContainerSpec(BaseConfig(), FakePod(), FakeImage(), FakeInputs())->spec.process.tty);
}

TEST(SpecBuilderTest, NoCommandAnywhere) {
  auto img = FakeImage();
  img.entrypoint.clear();
  img.cmd.clear();
  auto b = BuildContainerSpec(BaseConfig(), FakePod(), img, FakeInputs());
  EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SpecBuilderTest, LocalhostSeccompProfileLoaded) {
  char path[] = "/tmp/seccomp-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]})";
  auto c = BaseConfig();
  auto* s = c.mutable_linux()->mutable_security_context()->mutable_seccomp();
  s->set_profile_type(cri::SecurityProfile::Localhost);
  s->set_localhost_ref(path);
  auto b = BuildContainerSpec(c, FakePod(), FakeImage(), FakeInputs());
  unlink(path);
  ASSERT_TRUE(b.ok()) << b.status();
  ASSERT_TRUE(b->spec.process.seccomp.has_value());
  EXPECT_EQ(b->spec.process.seccomp->default_action, "SCMP_ACT_ERRNO");
}

TEST(SpecBuilderTest, ResourcesAndOomScoreClamp) {
  auto c = BaseConfig();
  auto* r = c.mutable_linux()->mutable_resources();
  r->set_cpu_shares(512);
  r->set_cpu_quota(50000);
  r->set_cpu_period(100000);
  r->set_memory_limit_in_bytes(64 << 20);
  r->set_cpuset_cpus("0-1");
  r->set_oom_score_adj(-997);
  auto b = BuildContainerSpec(c, FakePod(), FakeImage(), FakeInputs());
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(b->resources.cpu_shares, 512);
  EXPECT_EQ(b->resources.cpu_quota, 50000);
  EXPECT_EQ(b->resources.memory_limit, 64 << 20);
  EXPECT_EQ(b->resources.cpuset_cpus, "0-1");
  EXPECT_FALSE(b->resources.memory_swap_limit.has_value());
  EXPECT_EQ(b->spec.process.oom_score_adj, -500);  // clamped to the daemon's own
  EXPECT_TRUE(b->oom_score_clamped);
  cri::LinuxContainerResources back;
  ToCriResources(b->resources, &back);
  EXPECT_EQ(back.cpu_shares(), 512);
  EXPECT_EQ(back.memory_limit_in_bytes(), 64 << 20);
}

}  // namespace
}  // namespace podagent
