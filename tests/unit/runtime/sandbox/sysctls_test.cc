#include "runtime/sandbox/sysctls.h"

#include "gtest/gtest.h"

namespace podagent {
namespace {

TEST(PodSysctls, NamespacedOnesPassWithPaths) {
  auto r = ValidatePodSysctls({{"net.ipv4.ip_forward", "1"},
                               {"kernel.shmmax", "1000000"},
                               {"kernel.msgmax", "8192"},
                               {"kernel.sem", "250 32000 32 128"},
                               {"fs.mqueue.msg_max", "20"},
                               {"net/ipv4/conf/eth0.100/forwarding", "1"}},
                              false, false);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 6u);
  std::map<std::string, std::string> paths;
  for (const PodSysctl& s : *r) paths[s.path] = s.value;
  EXPECT_EQ(paths.at("net/ipv4/ip_forward"), "1");
  EXPECT_EQ(paths.at("kernel/sem"), "250 32000 32 128");
  EXPECT_EQ(paths.at("fs/mqueue/msg_max"), "20");
  EXPECT_EQ(paths.at("net/ipv4/conf/eth0.100/forwarding"), "1") << "a dot inside a path-form name stays";
}

TEST(PodSysctls, NodeWideOnesRefused) {
  for (const char* name : {"kernel.panic", "vm.swappiness", "kernel.semx", "fs.file-max", "kernel.hostname", "user.max_user_namespaces"}) {
    auto r = ValidatePodSysctls({{name, "1"}}, false, false);
    EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << name;
    EXPECT_NE(r.status().message().find(name), std::string::npos) << r.status();
  }
}

TEST(PodSysctls, HostNamespacesRefuseTheirSysctls) {
  EXPECT_TRUE(absl::IsInvalidArgument(ValidatePodSysctls({{"net.ipv4.ip_forward", "1"}}, true, false).status()));
  EXPECT_TRUE(ValidatePodSysctls({{"kernel.shmmax", "1"}}, true, false).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(ValidatePodSysctls({{"kernel.shmmax", "1"}}, false, true).status()));
  EXPECT_TRUE(ValidatePodSysctls({{"net.core.somaxconn", "1"}}, false, true).ok());
}

TEST(PodSysctls, MalformedRefused) {
  for (const char* name : {"", "net..ipv4", "net/../../etc/x", "net.ipv4.ip forward", "net.ipv4.ip_forward/", "net.\n"}) {
    EXPECT_TRUE(absl::IsInvalidArgument(ValidatePodSysctls({{name, "1"}}, false, false).status())) << name;
  }
  EXPECT_TRUE(absl::IsInvalidArgument(ValidatePodSysctls({{"net.core.somaxconn", "1\n2"}}, false, false).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ValidatePodSysctls({{"net." + std::string(300, 'a'), "1"}}, false, false).status()));
}

}  // namespace
}  // namespace podagent
