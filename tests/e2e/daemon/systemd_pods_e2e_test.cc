// E2E, on a node whose PID 1 is systemd (the hack/vm guest with PODAGENT_VM_INIT=systemd, cgroup
// v2 or, with PODAGENT_VM_CGROUP=hybrid, systemd's hybrid v1 layout): the real daemon with
// cgroup_driver systemd makes a pod and its containers as systemd units through the CRI. kubelet's
// pod slice is stood for by a slice of this test's; the truth is systemctl, the cgroup files and
// the container's exit (137 after an OOM kill). Left out elsewhere by its name (*SystemdGuest).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "tests/lib/cgroup_membership.h"
#include "tests/lib/daemon_fixture.h"
#include "tests/lib/shell.h"

namespace podagent::testing {
namespace {

using ::testing::HasSubstr;

std::string Listed(const std::string& unit) {
  return Sh({"/usr/bin/systemctl", "list-units", "--all", "--plain", "--no-legend", "--no-pager", unit});
}

std::string Read(const std::string& path) {
  auto s = ReadFile(path);
  return s.ok() ? std::string(absl::StripAsciiWhitespace(*s)) : "<" + std::string(s.status().message()) + ">";
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

template <typename F>
bool Eventually(F done) {
  for (absl::Time end = absl::Now() + absl::Seconds(10); absl::Now() < end; absl::SleepFor(absl::Milliseconds(50))) {
    if (done()) return true;
  }
  return done();
}

// The last path component: the unit a systemd-driver cgroup path names.
std::string Leaf(const std::string& path) { return path.substr(path.rfind('/') + 1); }

class SystemdPodsSystemdGuest : public DaemonTest {
 protected:
  SystemdPodsSystemdGuest() : DaemonTest("unused") {
    config_cgroup_parent_ = "podagent.slice";  // the pods below name their own parent
    cgroup_parent_ = "/" + parent_;
    cgroup_driver_ = "systemd";
  }
  void SetUp() override {
    DaemonTest::SetUp();
    ASSERT_FALSE(HasFatalFailure());
    ImportBusybox();
  }

  const std::string parent_ = "pae2e" + NewId().substr(0, 8) + ".slice";  // kubelet's pod slice
};

TEST_F(SystemdPodsSystemdGuest, PodAndContainersAreUnitsWithLimitsAndLeaveNothing) {
  cri::PodSandboxConfig pc = MakePodConfig("sdpod", daemon_->dir().Sub("podlogs") + "/sdpod");
  pc.mutable_linux()->set_cgroup_parent(parent_);
  pc.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_network(cri::NODE);  // no CNI here
  std::string pod = RunPod(pc);
  ASSERT_FALSE(pod.empty());
  cri::PodSandboxStatusResponse ps;
  ASSERT_TRUE(client_->PodStatus(pod, true, &ps).ok());
  auto info = nlohmann::json::parse(ps.info().at("info"));
  const std::string pod_path = info["cgroupPath"], pause_path = info["pauseCgroupPath"];
  EXPECT_EQ(pod_path, "/" + parent_ + "/" + parent_.substr(0, parent_.size() - 6) + "-pod" + pod + ".slice");
  EXPECT_EQ(pause_path, pod_path + "/podagent-" + pod + "-pause.scope");
  EXPECT_THAT(Listed(Leaf(pod_path)), HasSubstr("active"));
  EXPECT_THAT(Listed(Leaf(pause_path)), HasSubstr("running"));
  EXPECT_TRUE(InCgroupEverywhere(info["pid"].get<int>(), pause_path))
      << Read(absl::StrCat("/proc/", info["pid"].get<int>(), "/cgroup"));

  cri::ContainerConfig sleeper = BusyboxSh("sleeper", "sleep 300");
  sleeper.mutable_linux()->mutable_resources()->set_memory_limit_in_bytes(32 << 20);
  std::string id = Run(pod, sleeper);
  ASSERT_FALSE(id.empty());
  const std::string path = Info(id)["cgroupPath"];
  EXPECT_EQ(path, pod_path + "/podagent-" + id + ".scope");
  EXPECT_THAT(Listed(Leaf(path)), HasSubstr("running"));
  const bool v2 = CgroupRootIsV2();
  EXPECT_EQ(Read(CgroupFile(path, "memory", "memory.max", "memory.limit_in_bytes")), std::to_string(32 << 20));
  EXPECT_EQ(Sh({"/usr/bin/systemctl", "show", "-p", v2 ? "MemoryMax" : "MemoryLimit", "--value", Leaf(path)}),
            std::to_string(32 << 20));
  EXPECT_TRUE(InCgroupEverywhere(Pid(id), path)) << Read(absl::StrCat("/proc/", Pid(id), "/cgroup"));
  EXPECT_EQ(Read(CgroupFile(path, "pids", "cgroup.procs", "cgroup.procs")), std::to_string(Pid(id)))
      << "the holder is gone";

  cri::ContainerConfig hog = BusyboxSh("hog", "x=$(head -c 104857600 /dev/zero | tr '\\0' a); echo survived");
  hog.mutable_linux()->mutable_resources()->set_memory_limit_in_bytes(10 << 20);
  hog.mutable_linux()->mutable_resources()->set_memory_swap_limit_in_bytes(10 << 20);
  std::string hog_id = Run(pod, hog);
  auto exited = WaitExited(hog_id);
  EXPECT_EQ(exited.state(), cri::CONTAINER_EXITED);
  EXPECT_EQ(exited.exit_code(), 137);
  // systemd removes the emptied scope's cgroup at once; the shim reads the count when it reaps
  // the init, and falls back to the pod slice's hierarchical count (runtime/shim/oom_count.h).
  EXPECT_EQ(exited.reason(), "OOMKilled");

  ASSERT_TRUE(client_->StopPod(pod).ok());
  ASSERT_TRUE(client_->RemovePod(pod).ok());
  for (const std::string& p : {path, pause_path, pod_path}) {
    EXPECT_TRUE(Eventually([&] { return Listed(Leaf(p)).empty(); })) << Leaf(p) << " is left: " << Listed(Leaf(p));
    for (const std::string& d : CgroupDirs(p)) EXPECT_TRUE(Eventually([&] { return !Exists(d); })) << d << " is left";
  }
  EXPECT_THAT(Listed(parent_), HasSubstr("active")) << "kubelet's slice is kubelet's";
}

}  // namespace
}  // namespace podagent::testing
