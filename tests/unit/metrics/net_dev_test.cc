#include "metrics/net_dev.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace podagent {
namespace {

const char kNetDev[] =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
    "    lo:    3267      29    0    0    0     0          0         0     3267      29    0    0    0     0       0          0\n"
    "  eth0: 139988836    2690    1    2    0     0          0         0   110419    1479    3    4    0     0       0          0\n"
    "  net1:10 1 0 0 0 0 0 0 20 2 0 0 0 0 0 0\n"
    "  bad0: 1 2 3\n";

TEST(NetDev, ParsesInterfacesAndSkipsLoopback) {
  std::vector<InterfaceStats> ifs = ParseNetDev(kNetDev);
  ASSERT_EQ(ifs.size(), 2u);
  EXPECT_EQ(ifs[0].name, "eth0");
  EXPECT_EQ(ifs[0].rx_bytes, 139988836u);
  EXPECT_EQ(ifs[0].rx_packets, 2690u);
  EXPECT_EQ(ifs[0].rx_errors, 1u);
  EXPECT_EQ(ifs[0].rx_dropped, 2u);
  EXPECT_EQ(ifs[0].tx_bytes, 110419u);
  EXPECT_EQ(ifs[0].tx_packets, 1479u);
  EXPECT_EQ(ifs[0].tx_errors, 3u);
  EXPECT_EQ(ifs[0].tx_dropped, 4u);
  EXPECT_EQ(ifs[1].name, "net1");  // "name:digits" without a space
  EXPECT_EQ(ifs[1].tx_bytes, 20u);
}

TEST(NetDev, ReadsThisProcessAndToleratesGoneProcesses) {
  // The real kernel file parses (whatever interfaces this machine has, lo is never listed).
  for (const InterfaceStats& s : ReadNetDev(::getpid())) EXPECT_NE(s.name, "lo");
  EXPECT_TRUE(ReadNetDev(0).empty());
  EXPECT_TRUE(ReadNetDev(::getpid(), "/nonexistent").empty());
}

}  // namespace
}  // namespace podagent
