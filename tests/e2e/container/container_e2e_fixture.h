#pragma once
// ContainerE2E: the fixture of the container e2e suites. A CniDaemonTest (the real daemon, a
// private CNI bridge network and cgroup parent) with the busybox image imported as kImage, and
// helpers to run pods and containers through the CRI and read their status.

#include <cstring>
#include <map>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "runtime/common/files.h"
#include "tests/lib/cni_e2e.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/test_registry.h"

namespace podagent::testing {

namespace cri = ::runtime::v1;

inline constexpr char kImage[] = "e2e.local/busybox:1";

// Whether `pid` runs, from the kernel: /proc/PID/stat exists and its state is not Z (a zombie
// has exited). Any other read error fails the test.
inline bool ProcessAlive(int pid) {
  auto stat = ReadFile(absl::StrCat("/proc/", pid, "/stat"));
  if (!stat.ok()) {
    bool gone = stat.status().code() == absl::StatusCode::kNotFound ||
                absl::StrContains(stat.status().message(), std::strerror(ESRCH));
    EXPECT_TRUE(gone) << stat.status();
    return false;
  }
  size_t paren = stat->rfind(')');
  EXPECT_NE(paren, std::string::npos) << *stat;
  return paren != std::string::npos && paren + 2 < stat->size() && (*stat)[paren + 2] != 'Z';
}

class ContainerE2E : public CniDaemonTest {
 protected:
  // Another suite (tests/e2e/diagnostics) passes its own network name and subnet range.
  explicit ContainerE2E(std::string network = "podagent-ce2e", int octet_base = 100)
      : CniDaemonTest(std::move(network), octet_base) {}

  // The busybox image is built once per binary and imported into each test's daemon.
  void SetUp() override {
    auto layout = SharedBusyboxLayout();
    ASSERT_TRUE(layout.ok()) << "busybox test image: " << layout.status();
    CniDaemonTest::SetUp();
    ASSERT_FALSE(HasFatalFailure());
    absl::Status imported = daemon_->ImportImage(*layout, kImage);
    ASSERT_TRUE(imported.ok()) << imported;
    logs_ = daemon_->dir().Sub("podlogs");
  }

  using CniDaemonTest::RunPod;
  std::string RunPod(const std::string& name, cri::NamespaceMode pid_mode = cri::CONTAINER) {
    cri::PodSandboxConfig c = MakePodConfig(name, logs_ + "/" + name);
    c.set_hostname(name);
    c.mutable_linux()->mutable_security_context()->mutable_namespace_options()->set_pid(pid_mode);
    return RunPod(c);
  }

  cri::ContainerConfig Sh(const std::string& name, const std::string& script) {
    return MakeContainerConfig(name, kImage, {"/bin/sh", "-c", script});
  }

  int PausePid(const std::string& pod) {
    cri::PodSandboxStatusResponse r;
    EXPECT_TRUE(client_->PodStatus(pod, true, &r).ok());
    return nlohmann::json::parse(r.info().at("info"))["pid"];
  }

  std::string logs_;
};

}  // namespace podagent::testing
