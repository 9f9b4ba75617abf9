#include "runtime/sandbox/pod_files.h"

#include <stdlib.h>

#include "gtest/gtest.h"
#include "runtime/common/files.h"
#include "tests/lib/temp_dir_test.h"

namespace podagent {
namespace {

class PodFilesTest : public testing::TempDirTest {
 protected:
  PodFilesTest() : TempDirTest("podagent-podfiles") {}
};

TEST_F(PodFilesTest, DnsConfigBecomesResolvConf) {
  PodFilesSpec spec;
  spec.dir = dir_ + "/pods/p1";
  spec.hostname = "web-0";
  spec.dns = {{"10.96.0.10", "1.1.1.1"}, {"ns.svc.cluster.local", "svc.cluster.local"}, {"ndots:5"}, true};
  auto files = WritePodFiles(spec);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(*ReadFile(files->resolv_conf),
            "search ns.svc.cluster.local svc.cluster.local\nnameserver 10.96.0.10\nnameserver 1.1.1.1\noptions ndots:5\n");
  EXPECT_EQ(*ReadFile(files->hostname), "web-0\n");
  EXPECT_NE(ReadFile(files->hosts)->find("127.0.0.1\tlocalhost"), std::string::npos);
}

TEST_F(PodFilesTest, WithoutDnsConfigTheHostsResolvConfIsCopied) {
  ASSERT_TRUE(WriteFile(dir_ + "/host-resolv", "nameserver 9.9.9.9\n").ok() ||
              WriteFileAtomic(dir_ + "/host-resolv", "nameserver 9.9.9.9\n").ok());
  ASSERT_TRUE(WriteFileAtomic(dir_ + "/host-hosts", "1.2.3.4 node\n").ok());
  PodFilesSpec spec;
  spec.dir = dir_ + "/pods/p2";
  spec.hostname = "node";
  spec.host_network = true;
  spec.host_resolv_conf = dir_ + "/host-resolv";
  spec.host_hosts = dir_ + "/host-hosts";
  auto files = WritePodFiles(spec);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(*ReadFile(files->resolv_conf), "nameserver 9.9.9.9\n");
  EXPECT_EQ(*ReadFile(files->hosts), "1.2.3.4 node\n");
}

}  // namespace
}  // namespace podagent
