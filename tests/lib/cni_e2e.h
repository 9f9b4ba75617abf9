#pragma once
// CniDaemonTest: the gtest fixture of the e2e suites that run real pods on a network. DaemonTest
// (daemon_fixture.h: the real podagent on temp dirs, a private cgroup parent, teardown through the
// CRI with a check that nothing is left) plus the shipped bridge conflist
// (deploy/cni/10-podagent.conflist) on its own bridge, subnet 10.88.OCTET.0/24 and IPAM dir,
// driven by Debian's CNI plugins. TearDown also restores the host's network (bridge, iptables
// chains, ip_forward).
//   class SandboxE2E : public testing::CniDaemonTest {
//    protected:
//     SandboxE2E() : CniDaemonTest("podagent-e2e", 150) {}
//   };

#include <memory>
#include <string>

#include "tests/lib/daemon_fixture.h"
#include "tests/lib/net_cleanup.h"

namespace podagent::testing {

class CniDaemonTest : public DaemonTest {
 protected:
  // `network`: the CNI network name (and cgroup parent prefix); the subnet's third octet is
  // picked at random in [octet_base, octet_base + 50).
  CniDaemonTest(std::string network, int octet_base);

  void SetUp() override;
  void TearDown() override;
  std::string PrepareConfig() override;  // the conflist, and the cni: keys naming it

  std::string network_;
  int octet_ = 0;
  std::string bridge_, conf_dir_, ipam_dir_;
  std::unique_ptr<HostNetSnapshot> snapshot_;
};

}  // namespace podagent::testing
