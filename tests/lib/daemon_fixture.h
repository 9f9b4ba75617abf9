#pragma once
// DaemonTest: the gtest fixture of e2e suites that run the real podagent over its socket. Each test
// gets the daemon on temp dirs under a private cgroup parent; TearDown stops and removes every pod
// through the CRI, stops the daemon, unmounts its netns dir, fails the test if a process is left
// in the cgroup parent, and removes it. With PODAGENT_TEST_CGROUP_DRIVER=systemd (cgroup_driver_e2e.h)
// the daemon runs `cgroup_driver: systemd` under a slice of the test's own, TearDown also fails the
// test if a pod slice or scope of podagent's is left in it, and stops the slice. Pods without CNI use host networking; CniDaemonTest
// (cni_e2e.h) adds a private bridge network. The pod and container helpers below are the one copy
// every e2e suite uses: a pod run through RunPod remembers its config, which CreateContainer needs
// again, and a failed call fails the test with the daemon's log.
//   class SecurityE2E : public testing::DaemonTest {
//    protected:
//     SecurityE2E() : DaemonTest("podagent-sece2e") {}
//   };

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/lib/cgroup_driver_e2e.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/test_daemon.h"

namespace podagent::testing {

// The busybox test image's name in each test's daemon (DaemonTest::ImportBusybox's default), and
// a container config running `sh -c script` in it.
inline constexpr char kBusyboxImage[] = "e2e.local/busybox:1";
::runtime::v1::ContainerConfig BusyboxSh(const std::string& name, const std::string& script);

// The lines of a daemon log at warning level or above, for a failed test's report.
std::string WarningsAndErrors(const std::string& log);

// The end of a test whose daemon ran its pods under a cgroupfs parent of the test's own: no
// process is left in `parent`, and it is removed.
void ExpectEmptyAndRemoveCgroup(const std::string& parent);

class DaemonTest : public ::testing::Test {
 protected:
  // `name` prefixes the cgroup parent (its dashes dropped in a slice's name).
  explicit DaemonTest(const std::string& name);

  void SetUp() override;
  void TearDown() override;
  // Config lines the daemon needs beside cgroup_parent, written once daemon_ exists and before it
  // starts (a subclass puts its files under daemon_->dir()). extra_yaml_ is appended after them.
  virtual std::string PrepareConfig() { return ""; }
  // Where the daemon puts pod `pod_id`'s cgroup, by the driver's naming: cgroupfs
  // "<cgroup_parent_>/pod<id>", systemd "<parent slice path>/<parent stem>-pod<id>.slice".
  std::string PodCgroupPath(const std::string& pod_id) const;
  // A new client after the daemon restarted.
  void Reconnect();
  // `podagent image import` of the busybox test image as `ref`, into the running daemon's store;
  // the image is built once per test binary (SharedBusyboxLayout).
  void ImportBusybox(const std::string& ref = kBusyboxImage);

  // RunPodSandbox; the pod id ("" and a test failure if it failed).
  std::string RunPod(const ::runtime::v1::PodSandboxConfig& c);
  // CreateContainer in a pod run by RunPod, with that pod's config.
  grpc::Status Create(const std::string& pod, const ::runtime::v1::ContainerConfig& c, std::string* id);
  // Create and start; the container id ("" and a test failure if either failed).
  std::string Run(const std::string& pod, const ::runtime::v1::ContainerConfig& c);
  // Verbose ContainerStatus (a failed call fails the test), its info JSON ({} without one), the
  // main process's host pid (0 without one).
  ::runtime::v1::ContainerStatusResponse Status(const std::string& id);
  nlohmann::json Info(const std::string& id);
  int Pid(const std::string& id);
  // The status once the container exited, or the last one seen after `timeout`.
  ::runtime::v1::ContainerStatus WaitExited(const std::string& id, absl::Duration timeout = absl::Seconds(30));

  std::string extra_yaml_;  // appended to the generated config; set it before SetUp
  // cgroup_parent_ is the cgroup path TearDown checks and removes; the config's cgroup_parent is
  // config_cgroup_parent_ when set (a slice name under cgroup_driver systemd), else the same path.
  std::string cgroup_parent_, config_cgroup_parent_, yaml_;
  // "systemd" writes `cgroup_driver: systemd` into the config ("" leaves the daemon's default).
  std::string cgroup_driver_;
  std::unique_ptr<TestDaemon> daemon_;
  std::unique_ptr<CriClient> client_;
  std::map<std::string, ::runtime::v1::PodSandboxConfig> pod_configs_;  // by pod id
};

}  // namespace podagent::testing
