#include "runtime/sandbox/pod_files.h"

#include <stdlib.h>

#include "gtest/gtest.h"
#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

class PodFilesTest : public ::testing::Test {
 protected:
  testing::TempDir scratch_{"podagent-podfiles"};
  void SetUp() override {
    tmp_ = scratch_.path();
  }
  std::string tmp_;
};

TEST_F(PodFilesTest, DnsConfigBecomesResolvConf) {
  PodFilesSpec spec;
  spec.dir = tmp_ + "/pods/p1";
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
  ASSERT_TRUE(WriteFile(tmp_ + "/host-resolv", "nameserver 9.9.9.9\n").ok() ||
              WriteFileAtomic(tmp_ + "/host-resolv", "nameserver 9.9.9.9\n").ok());
  ASSERT_TRUE(WriteFileAtomic(tmp_ + "/host-hosts", "1.2.3.4 node\n").ok());
  PodFilesSpec spec;
  spec.dir = tmp_ + "/pods/p2";
  spec.hostname = "node";
  spec.host_network = true;
  spec.host_resolv_conf = tmp_ + "/host-resolv";
  spec.host_hosts = tmp_ + "/host-hosts";
  auto files = WritePodFiles(spec);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(*ReadFile(files->resolv_conf), "nameserver 9.9.9.9\n");
  EXPECT_EQ(*ReadFile(files->hosts), "1.2.3.4 node\n");
}

}  // namespace
}  // namespace podagent
