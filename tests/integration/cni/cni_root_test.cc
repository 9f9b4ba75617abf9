// ROOT: CniExecutor with Debian's real plugins (/usr/lib/cni) and the shipped
// deploy/cni/10-podagent.conflist, rewritten to a test bridge, a test subnet and a temp
// host-local data dir. Pods are real LinuxSandboxRuntime pauses. The test removes the bridge and
// the iptables chains it caused.
#include <unistd.h>

#include <cstdlib>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/lib/net_cleanup.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/cni/cni_executor.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "runtime/ns/pinned_namespace.h"
#include "runtime/sandbox/sandbox_runtime.h"
#include "tests/lib/temp_dir.h"
#include "tests/lib/paths.h"

namespace podagent {
namespace {

using testing::Sh;

using testing::BinDir;
using testing::SourceDir;

class RootCni : public ::testing::Test {
 protected:
  testing::TempDir scratch_{"podagent-cniroot"};
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "ROOT test: run as root";
    ASSERT_TRUE(PathExists("/usr/lib/cni/bridge")) << "containernetworking-plugins is not installed";
    dir_ = scratch_.path();
    std::mt19937 rng{std::random_device{}()};
    octet_ = 200 + static_cast<int>(rng() % 50);
    bridge_ = absl::StrCat("patest", rng() % 100000);
    subnet_ = absl::StrCat("10.88.", octet_, ".0/24");
    snapshot_ = std::make_unique<testing::HostNetSnapshot>();

    auto d = CgroupDriver::Detect();
    ASSERT_TRUE(d.ok()) << d.status();
    cgroups_ = std::move(*d);
    parent_ = "/podagent-test-" + NewId().substr(0, 12);
    runtime_ = std::make_unique<LinuxSandboxRuntime>(*cgroups_, BinDir() + "/podagent-pause", dir_ + "/run");

    options_.conf_dir = dir_ + "/conf";
    options_.bin_dirs = {dir_ + "/bin", "/usr/lib/cni"};
    options_.cache_dir = dir_ + "/cache";
    ASSERT_TRUE(MakeDirs(options_.conf_dir).ok());
    ASSERT_TRUE(MakeDirs(dir_ + "/bin").ok());
    std::string failpoint = SourceDir() + "/tests/integration/cni/failpoint-cni";
    ASSERT_EQ(::symlink(failpoint.c_str(), (dir_ + "/bin/failpoint-cni").c_str()), 0);
  }

  void TearDown() override {
    for (const auto& [id, cg] : pods_) EXPECT_TRUE(runtime_->Remove(id, cg).ok());
    if (cgroups_) {
      EXPECT_TRUE(cgroups_->Destroy(parent_).ok());
    }
    if (snapshot_) {
      std::vector<std::string> left = snapshot_->Restore(bridge_, "podagent-test");
      EXPECT_TRUE(left.empty()) << "iptables chains left behind: " << absl::StrJoin(left, " ");
    }
    EXPECT_TRUE(UnmountSharedMountDir(dir_ + "/run/netns").ok());
    EXPECT_TRUE(RemoveTree(dir_).ok());
    EXPECT_EQ(Sh({"/usr/sbin/ip", "-o", "link", "show", bridge_}).find(bridge_ + ":"), std::string::npos);
  }

  // The shipped conflist with the test's bridge, subnet and data dir; `extra` plugins appended.
  void InstallDeployConfig(const std::vector<nlohmann::json>& extra = {}) {
    auto text = ReadFile(SourceDir() + "/deploy/cni/10-podagent.conflist");
    ASSERT_TRUE(text.ok()) << text.status();
    nlohmann::json conf = nlohmann::json::parse(*text);
    ASSERT_EQ(conf["cniVersion"], "1.0.0");
    auto& bridge = conf["plugins"][0];
    ASSERT_EQ(bridge["type"], "bridge");
    bridge["bridge"] = bridge_;
    bridge["ipam"]["ranges"] = nlohmann::json::array({nlohmann::json::array({{{"subnet", subnet_}}})});
    bridge["ipam"]["dataDir"] = dir_ + "/ipam";
    conf["name"] = "podagent-test";
    for (const auto& p : extra) conf["plugins"].push_back(p);
    ASSERT_TRUE(WriteFileAtomic(options_.conf_dir + "/10-podagent.conflist", conf.dump(2)).ok());
  }

  NetworkPod StartPod() {
    SandboxSpec spec;
    spec.id = NewId();
    spec.hostname = "cni-test";
    spec.cgroup_path = parent_ + "/pod" + spec.id;
    auto st = runtime_->Start(spec);
    EXPECT_TRUE(st.ok()) << st.status();
    pods_.emplace_back(spec.id, spec.cgroup_path);
    pauses_[spec.id] = st.ok() ? st->pause : ProcessIdentity{};
    NetworkPod pod;
    pod.id = spec.id;
    pod.netns = st.ok() ? st->netns_path : "";
    pod.name = "web";
    pod.namespace_ = "default";
    pod.uid = "uid-" + spec.id.substr(0, 8);
    return pod;
  }

  std::vector<std::string> AllocatedIps() {
    std::vector<std::string> ips;
    auto names = ListDir(dir_ + "/ipam/podagent-test");
    if (!names.ok()) return ips;
    for (const std::string& n : *names) {
      if (absl::StartsWith(n, "10.")) ips.push_back(n);
    }
    return ips;
  }

  std::string dir_, bridge_, subnet_, parent_;
  int octet_ = 0;
  std::unique_ptr<testing::HostNetSnapshot> snapshot_;
  std::unique_ptr<CgroupDriver> cgroups_;
  std::unique_ptr<LinuxSandboxRuntime> runtime_;
  CniOptions options_;
  std::vector<std::pair<std::string, std::string>> pods_;
  std::map<std::string, ProcessIdentity> pauses_;
};

TEST_F(RootCni, NoConfigMeansNotReady) {
  CniExecutor cni(options_);
  absl::Status st = cni.Ready();
  EXPECT_TRUE(absl::IsNotFound(st)) << st;
  InstallDeployConfig();
  EXPECT_TRUE(cni.Ready().ok()) << cni.Ready();
}

TEST_F(RootCni, DeployConflistAddsCheckAndDeletesAfterPauseIsGone) {
  InstallDeployConfig();
  CniExecutor cni(options_);
  NetworkPod pod = StartPod();
  ASSERT_FALSE(pod.netns.empty());
  pod.port_mappings = {{38000 + octet_, 80, "tcp", "127.0.0.1"}};
  auto result = cni.Setup(pod);
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->ips.size(), 1u);
  std::string ip = result->ips[0];
  EXPECT_TRUE(absl::StartsWith(ip, absl::StrCat("10.88.", octet_, "."))) << ip;
  EXPECT_NE(Sh({"/usr/bin/nsenter", "--net=" + pod.netns, "/usr/sbin/ip", "-o", "-4", "addr", "show", "eth0"}).find(ip + "/24"),
            std::string::npos);
  EXPECT_NE(Sh({"/usr/bin/nsenter", "--net=" + pod.netns, "/usr/sbin/ip", "-o", "link", "show", "lo"}).find(",UP"),
            std::string::npos);
  EXPECT_EQ(AllocatedIps(), std::vector<std::string>{ip});
  EXPECT_NE(Sh({"/usr/sbin/iptables-save", "-t", "nat"}).find(std::to_string(38000 + octet_)), std::string::npos)
      << "portmap got the port mapping";
  // Debian's portmap 1.1.1 fails CHECK on IPv4-only pods with port mappings (it looks for an
  // IPv6 chain it never made: containernetworking/plugins#819); that must come back as a clear
  // status naming the plugin. Without port mappings CHECK passes through the whole list.
  absl::Status check = cni.Check(pod);
  if (!check.ok()) {
    EXPECT_NE(check.message().find("cni plugin portmap CHECK for pod " + pod.id + ": could not check ipv6 dnat"),
              std::string::npos) << check;
  }

  ASSERT_TRUE(runtime_->StopPause(pod.id, pauses_[pod.id], absl::Seconds(5)).ok());
  absl::Status del = cni.Teardown(pod);
  ASSERT_TRUE(del.ok()) << del;
  EXPECT_TRUE(AllocatedIps().empty()) << "host-local released the IP";
  std::string nat = Sh({"/usr/sbin/iptables-save", "-t", "nat"});
  EXPECT_EQ(nat.find(std::to_string(38000 + octet_)), std::string::npos) << nat;
  EXPECT_EQ(nat.find(pod.id), std::string::npos) << "no rule mentions the pod any more";
  EXPECT_TRUE(cni.Teardown(pod).ok()) << "DEL is idempotent";
  EXPECT_TRUE(runtime_->Remove(pod.id, pods_.back().second).ok());
  absl::Status del_again = cni.Teardown(pod);
  EXPECT_TRUE(del_again.ok()) << "even after the netns pin is gone: " << del_again;
}

TEST_F(RootCni, CheckPassesThroughTheWholeListWithoutPortMappings) {
  InstallDeployConfig();
  CniExecutor cni(options_);
  NetworkPod pod = StartPod();
  ASSERT_TRUE(cni.Setup(pod).ok());
  absl::Status check = cni.Check(pod);
  EXPECT_TRUE(check.ok()) << check;
  ASSERT_TRUE(cni.Teardown(pod).ok());
  EXPECT_TRUE(AllocatedIps().empty());
}

TEST_F(RootCni, FailpointAfterRealPluginsRollsBackTheIp) {
  std::string control = dir_ + "/control";
  ASSERT_TRUE(WriteFileAtomic(control, "ADD\n").ok());
  InstallDeployConfig({{{"type", "failpoint-cni"}, {"controlFile", control}}});
  CniExecutor cni(options_);
  NetworkPod pod = StartPod();
  auto result = cni.Setup(pod);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("failpoint: ADD failed"), std::string::npos) << result.status();
  EXPECT_TRUE(AllocatedIps().empty()) << "the bridge/host-local ADD was undone";
  EXPECT_FALSE(PathExists(cni.CachePath(pod.id)));
}

TEST_F(RootCni, ManyPodsGetDistinctIpsAndAllAreReleased) {
  InstallDeployConfig();
  CniExecutor cni(options_);
  std::set<std::string> ips;
  std::vector<NetworkPod> pods;
  std::vector<std::string> ip_of;  // in the order of `pods`
  for (int i = 0; i < 5; ++i) {
    pods.push_back(StartPod());
    auto r = cni.Setup(pods.back());
    ASSERT_TRUE(r.ok()) << r.status();
    ips.insert(r->ips.at(0));
    ip_of.push_back(r->ips.at(0));
  }
  EXPECT_EQ(ips.size(), 5u);
  // Pod to pod over the test bridge (namespaces this test made): a real ICMP echo from pod 0 to
  // pod 1 and its reply, so the veths, the bridge and both pods' addresses and routes all work.
  std::string ping = Sh({"/usr/bin/nsenter", "--net=" + pods[0].netns, "/bin/busybox", "ping", "-c", "2", "-W", "5",
                         ip_of[1]});
  EXPECT_NE(ping.find("2 packets received"), std::string::npos) << ping;
  for (const NetworkPod& p : pods) ASSERT_TRUE(cni.Teardown(p).ok());
  EXPECT_TRUE(AllocatedIps().empty());
}

TEST_F(RootCni, HundredPodCyclesLeaveNoIpMountNetnsOrCgroup) {
  InstallDeployConfig();
  CniExecutor cni(options_);
  for (int i = 0; i < 100; ++i) {
    NetworkPod pod = StartPod();
    ASSERT_FALSE(pod.netns.empty());
    auto r = cni.Setup(pod);
    ASSERT_TRUE(r.ok()) << "cycle " << i << ": " << r.status();
    ASSERT_TRUE(runtime_->StopPause(pod.id, pauses_[pod.id], absl::Seconds(5)).ok());
    ASSERT_TRUE(cni.Teardown(pod).ok()) << "cycle " << i;
    ASSERT_TRUE(runtime_->Remove(pod.id, pods_.back().second).ok());
    EXPECT_FALSE(cgroups_->Exists(pods_.back().second));
    EXPECT_FALSE(PathExists(pod.netns));
    EXPECT_FALSE(PathExists(cni.CachePath(pod.id)));
    pods_.pop_back();
  }
  EXPECT_TRUE(AllocatedIps().empty());
  auto mounts = ReadFile("/proc/self/mountinfo");
  ASSERT_TRUE(mounts.ok());
  EXPECT_EQ(mounts->find(dir_ + "/run/netns/"), std::string::npos) << "a netns pin was left mounted";
  auto left = ListDir(dir_ + "/run/netns");
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
}

}  // namespace
}  // namespace podagent
