// ROOT: the network counters podagent reports (metrics/net_dev, read through /proc/PID/net/dev of
// a pod's process) for a real interface in a network namespace this test makes, against a second
// tool's reading (iproute2's `ip -s -j link`), with real packets sent through it.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <sys/socket.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "metrics/net_dev.h"
#include "tests/lib/shell.h"

namespace podagent {
namespace {

using testing::Sh;

// A child in a fresh network namespace, sleeping until the test kills it.
class NetnsHolder {
 public:
  NetnsHolder() {
    int ready[2];
    if (::pipe(ready) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(ready[0]);
      char ok = ::unshare(CLONE_NEWNET) == 0 ? '1' : '0';
      if (::write(ready[1], &ok, 1) != 1) ::_exit(1);
      for (;;) ::pause();
    }
    ::close(ready[1]);
    char ok = '0';
    if (::read(ready[0], &ok, 1) != 1 || ok != '1') ok_ = false;
    ::close(ready[0]);
  }
  ~NetnsHolder() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool ok() const { return pid_ > 0 && ok_; }
  pid_t pid() const { return pid_; }
  // Runs an absolute argv inside the namespace.
  std::string In(std::vector<std::string> argv) const {
    argv.insert(argv.begin(), {"/usr/bin/nsenter", absl::StrCat("--net=/proc/", pid_, "/ns/net"), "--"});
    return Sh(argv);
  }

 private:
  pid_t pid_ = -1;
  bool ok_ = true;
};

// iproute2's counter `key` of `dir` ("rx", "tx") for `dev` (`ip -s -j link`'s stats64); 0 after
// a failed parse, which fails the test.
uint64_t IpStat(const NetnsHolder& ns, const std::string& dev, const char* dir, const char* key) {
  std::string out = ns.In({"/usr/sbin/ip", "-s", "-j", "link", "show", dev});
  auto j = nlohmann::json::parse(out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << out;
  if (j.is_discarded() || j.empty()) return 0;
  return j[0]["stats64"][dir][key].get<uint64_t>();
}

// In the fresh namespace of `ns`: no IPv6 (nothing but the test's packets leaves an interface)
// and a veth pair pa0/pa1, both down (these kernels have no dummy module).
void AddVethPair(const NetnsHolder& ns) {
  ASSERT_TRUE(ns.ok()) << "unshare(CLONE_NEWNET)";
  ASSERT_EQ(ns.In({"/usr/sbin/sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
                   "net.ipv6.conf.default.disable_ipv6=1"}), "");
  ASSERT_EQ(ns.In({"/usr/sbin/ip", "link", "add", "pa0", "type", "veth", "peer", "name", "pa1"}), "");
}

// Sends `count` broadcast Ethernet frames of an ethertype no protocol handles (0x88b5, local
// experimental) out of `dev` in the network namespace of `ns`, from a forked child that joins it
// (this test process stays where it is). With `bypass_qdisc` the frames go straight to the
// driver (PACKET_QDISC_BYPASS). True when the child got through to sending.
bool SendUnknownFrames(const NetnsHolder& ns, const std::string& dev, int count, bool bypass_qdisc) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int nsfd = ::open(absl::StrCat("/proc/", ns.pid(), "/ns/net").c_str(), O_RDONLY | O_CLOEXEC);
    if (nsfd < 0 || ::setns(nsfd, CLONE_NEWNET) != 0) ::_exit(2);
    int s = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (s < 0) ::_exit(3);
    int one = 1;
    if (bypass_qdisc && ::setsockopt(s, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)) != 0) ::_exit(4);
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_ifindex = static_cast<int>(::if_nametoindex(dev.c_str()));
    to.sll_halen = ETH_ALEN;
    if (to.sll_ifindex == 0) ::_exit(5);
    unsigned char frame[64] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5};
    for (int i = 0; i < count; ++i) {
      // A frame the driver drops fails with ENOBUFS: that is the point, not an error here.
      (void)::sendto(s, frame, sizeof(frame), 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
    }
    ::_exit(0);
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return false;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

const InterfaceStats* Find(const std::vector<InterfaceStats>& ifs, const std::string& name) {
  for (const InterfaceStats& s : ifs) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

// Real drops on both sides of a veth pair: pa1 drops received frames no protocol takes (its rx
// "drop"), and pa0 drops frames sent to the driver while its peer is down (its tx "drop"). The
// counts podagent reads equal iproute2's.
TEST(RootNetDev, DroppedCountersOfARealInterfaceMatchIproute2) {
  ASSERT_EQ(::geteuid(), 0u) << "ROOT test: run as root";
  NetnsHolder ns;
  ASSERT_NO_FATAL_FAILURE(AddVethPair(ns));
  ASSERT_EQ(ns.In({"/usr/sbin/ip", "link", "set", "pa1", "up"}), "");
  ASSERT_EQ(ns.In({"/usr/sbin/ip", "link", "set", "pa0", "up"}), "");
  ASSERT_TRUE(SendUnknownFrames(ns, "pa0", 5, /*bypass_qdisc=*/false));
  ASSERT_EQ(ns.In({"/usr/sbin/ip", "link", "set", "pa1", "down"}), "");
  ASSERT_TRUE(SendUnknownFrames(ns, "pa0", 3, /*bypass_qdisc=*/true));

  uint64_t pa1_rx_dropped = IpStat(ns, "pa1", "rx", "dropped"), pa1_tx_dropped = IpStat(ns, "pa1", "tx", "dropped");
  uint64_t pa0_rx_dropped = IpStat(ns, "pa0", "rx", "dropped"), pa0_tx_dropped = IpStat(ns, "pa0", "tx", "dropped");
  EXPECT_GE(pa1_rx_dropped, 5u);
  EXPECT_GE(pa0_tx_dropped, 3u);
  std::vector<InterfaceStats> ifs = ReadNetDev(ns.pid());
  const InterfaceStats* pa0 = Find(ifs, "pa0");
  const InterfaceStats* pa1 = Find(ifs, "pa1");
  ASSERT_NE(pa0, nullptr) << "pa0 not read";
  ASSERT_NE(pa1, nullptr) << "pa1 not read";
  EXPECT_EQ(pa1->rx_dropped, pa1_rx_dropped);
  EXPECT_EQ(pa1->tx_dropped, pa1_tx_dropped);
  EXPECT_EQ(pa0->rx_dropped, pa0_rx_dropped);
  EXPECT_EQ(pa0->tx_dropped, pa0_tx_dropped);
}

TEST(RootNetDev, CountersOfARealInterfaceMatchIproute2) {
  ASSERT_EQ(::geteuid(), 0u) << "ROOT test: run as root";
  NetnsHolder ns;
  // pa0 transmits the ARP requests for a neighbour that never answers; pa1, its peer, only
  // receives them.
  ASSERT_NO_FATAL_FAILURE(AddVethPair(ns));
  ASSERT_EQ(ns.In({"/usr/sbin/ip", "addr", "add", "10.199.0.1/24", "dev", "pa0"}), "");
  ASSERT_EQ(ns.In({"/usr/sbin/ip", "link", "set", "pa1", "up"}), "");
  ASSERT_EQ(ns.In({"/usr/sbin/ip", "link", "set", "pa0", "up"}), "");
  (void)ns.In({"/bin/busybox", "ping", "-c", "3", "-W", "1", "-s", "100", "10.199.0.2"});
  std::this_thread::sleep_for(std::chrono::seconds(4));  // the neighbour probes end

  uint64_t ip_packets = IpStat(ns, "pa0", "tx", "packets"), ip_bytes = IpStat(ns, "pa0", "tx", "bytes");
  EXPECT_GT(ip_packets, 0u);
  std::vector<InterfaceStats> ifs = ReadNetDev(ns.pid());
  ASSERT_EQ(ifs.size(), 2u) << "pa0 and pa1 (lo is skipped, as cAdvisor does)";
  const InterfaceStats* pa0 = ifs[0].name == "pa0" ? &ifs[0] : ifs[1].name == "pa0" ? &ifs[1] : nullptr;
  ASSERT_NE(pa0, nullptr) << "pa0 not read";
  EXPECT_EQ(pa0->tx_packets, ip_packets);
  EXPECT_EQ(pa0->tx_bytes, ip_bytes);
}

}  // namespace
}  // namespace podagent
