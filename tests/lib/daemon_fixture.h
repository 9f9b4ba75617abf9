#pragma once
// DaemonTest: the gtest fixture of e2e suites that run the real podagent over its socket. Each test
// gets the daemon on temp dirs under a private cgroup parent; TearDown stops and removes every pod
// through the CRI, stops the daemon, unmounts its netns dir, fails the test if a process is left
// in the cgroup parent, and removes it. Pods without CNI use host networking; CniDaemonTest
// (cni_e2e.h) adds a private bridge network.
//   class SecurityE2E : public testing::DaemonTest {
//    protected:
//     SecurityE2E() : DaemonTest("podagent-sece2e") {}
//   };

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/test_daemon.h"

namespace podagent::testing {

class DaemonTest : public ::testing::Test {
 protected:
  // `name` prefixes the cgroup parent.
  explicit DaemonTest(const std::string& name);

  void SetUp() override;
  void TearDown() override;
  // Config lines the daemon needs beside cgroup_parent, written once daemon_ exists and before it
  // starts (a subclass puts its files under daemon_->dir()). extra_yaml_ is appended after them.
  virtual std::string PrepareConfig() { return ""; }
  // A new client after the daemon restarted.
  void Reconnect();
  // `podagent image import` of the busybox test image as `ref`, into the running daemon's store;
  // the image is built once per test binary (SharedBusyboxLayout).
  void ImportBusybox(const std::string& ref);

  std::string extra_yaml_;  // appended to the generated config; set it before SetUp
  std::string cgroup_parent_, yaml_;
  std::unique_ptr<TestDaemon> daemon_;
  std::unique_ptr<CriClient> client_;
};

}  // namespace podagent::testing
