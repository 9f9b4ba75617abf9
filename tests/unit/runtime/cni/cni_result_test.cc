#include "runtime/cni/cni_result.h"

#include "gtest/gtest.h"

namespace podagent {
namespace {

TEST(CniResult, IpsV4FirstAndOnlySandboxInterfaces) {
  auto r = nlohmann::json::parse(R"({
    "cniVersion": "1.0.0",
    "interfaces": [{"name": "cni0"}, {"name": "veth1"}, {"name": "eth0", "sandbox": "/run/netns/x"}],
    "ips": [
      {"address": "fd00::5/64", "interface": 2},
      {"address": "10.88.0.1/16", "interface": 0},
      {"address": "10.88.0.5/16", "interface": 2, "gateway": "10.88.0.1"},
      {"address": "10.89.0.5/16"}
    ]})");
  EXPECT_EQ(ResultIps(r), (std::vector<std::string>{"10.88.0.5", "10.89.0.5", "fd00::5"}));
  EXPECT_TRUE(ResultIps(nlohmann::json::parse("{}")).empty());
  EXPECT_TRUE(ResultIps(nlohmann::json::parse(R"({"ips": "nope"})")).empty());
}

TEST(CniResult, PluginErrorObjectBecomesMessage) {
  absl::Status st = PluginError("bridge ADD for pod p", 1,
                                R"({"cniVersion":"1.0.0","code":11,"msg":"failed to allocate","details":"range full"})", "");
  EXPECT_TRUE(absl::IsInternal(st));
  EXPECT_EQ(st.message(), "cni plugin bridge ADD for pod p: failed to allocate (range full) [cni error code 11]");
}

TEST(CniResult, WithoutErrorObjectStderrOrExitStatus) {
  EXPECT_EQ(PluginError("x DEL", 2, "", "boom\n").message(), "cni plugin x DEL: boom");
  EXPECT_EQ(PluginError("x DEL", 2, "", "").message(), "cni plugin x DEL: exit status 2");
}

}  // namespace
}  // namespace podagent
