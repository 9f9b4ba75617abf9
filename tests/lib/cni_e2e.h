#pragma once
// CniDaemonTest: the gtest fixture of the e2e suites that run real pods. Each test gets the real
// podagent on temp dirs, a private cgroup parent, and the shipped bridge conflist
// (deploy/cni/10-podagent.conflist) on its own bridge, subnet 10.88.OCTET.0/24 and IPAM dir,
// driven by Debian's CNI plugins. TearDown stops and removes every pod through the CRI, stops the
// daemon, fails the test if a process is left in the cgroup parent, and restores the host's
// network (bridge, iptables chains, ip_forward).
//   class SandboxE2E : public testing::CniDaemonTest {
//    protected:
//     SandboxE2E() : CniDaemonTest("podagent-e2e", 150) {}
//   };

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/net_cleanup.h"
#include "tests/lib/test_daemon.h"

namespace podagent::testing {

class CniDaemonTest : public ::testing::Test {
 protected:
  // `network`: the CNI network name (and cgroup parent prefix); the subnet's third octet is
  // picked at random in [octet_base, octet_base + 50).
  CniDaemonTest(std::string network, int octet_base);

  void SetUp() override;
  void TearDown() override;
  // A new client after the daemon restarted.
  void Reconnect();

  std::string network_;
  std::string extra_yaml_;  // appended to the generated config; set it before SetUp
  int octet_ = 0;
  std::string bridge_, cgroup_parent_, conf_dir_, ipam_dir_, yaml_;
  std::unique_ptr<HostNetSnapshot> snapshot_;
  std::unique_ptr<TestDaemon> daemon_;
  std::unique_ptr<CriClient> client_;
};

}  // namespace podagent::testing
