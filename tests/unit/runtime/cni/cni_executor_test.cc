// CniExecutor with the failpoint plugin (tests/integration/cni/failpoint-cni) installed under
// several names in a temp bin dir: chaining, environment, caching, rollback, idempotent DEL.
#include "runtime/cni/cni_executor.h"

#include <stdlib.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "runtime/common/files.h"
#include "tests/lib/temp_dir_test.h"
#include "tests/lib/paths.h"

namespace podagent {
namespace {

class CniExecutorTest : public testing::TempDirTest {
 protected:
  CniExecutorTest() : TempDirTest("podagent-cniexec") {}
  void SetUp() override {
    ASSERT_TRUE(MakeDirs(dir_ + "/conf").ok());
    ASSERT_TRUE(MakeDirs(dir_ + "/bin").ok());
    std::string plugin = testing::SourceDir() + "/tests/integration/cni/failpoint-cni";
    ASSERT_TRUE(PathExists(plugin)) << plugin;
    for (const char* name : {"fake-a", "fake-b", "fake-ports"}) {
      ASSERT_EQ(::symlink(plugin.c_str(), (dir_ + "/bin/" + name).c_str()), 0);
    }
    options_.conf_dir = dir_ + "/conf";
    options_.bin_dirs = {dir_ + "/nonexistent", dir_ + "/bin"};
    options_.cache_dir = dir_ + "/cache";
    log_ = dir_ + "/calls.log";
    control_ = dir_ + "/control";
  }

  void WriteConf(const std::string& version = "1.0.0") {
    std::string plugin = absl::StrCat(R"("logFile":")", log_, R"(","controlFile":")", control_, R"(")");
    std::string conf = absl::StrCat(R"({"cniVersion":")", version, R"(","name":"testnet","plugins":[)",
                                    R"({"type":"fake-a","ip":"10.99.0.7/24",)", plugin, "},",
                                    R"({"type":"fake-ports","capabilities":{"portMappings":true},)", plugin, "},",
                                    R"({"type":"fake-b",)", plugin, "}]}");
    ASSERT_TRUE(WriteFileAtomic(options_.conf_dir + "/10-test.conflist", conf).ok());
  }
  void Fail(const std::string& commands) { ASSERT_TRUE(WriteFileAtomic(control_, commands).ok()); }
  std::vector<nlohmann::json> Calls() {
    std::vector<nlohmann::json> calls;
    auto text = ReadFile(log_);
    if (!text.ok()) return calls;
    for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
      calls.push_back(nlohmann::json::parse(line));
    }
    (void)RemoveTree(log_);
    return calls;
  }
  NetworkPod Pod() {
    NetworkPod pod;
    pod.id = "abc123";
    pod.netns = dir_;  // any existing path: the fake plugin does not enter it
    pod.name = "web";
    pod.namespace_ = "default";
    pod.uid = "u-1";
    pod.port_mappings = {{8080, 80, "tcp", ""}, {5353, 53, "udp", "127.0.0.1"}};
    return pod;
  }

  std::string log_, control_;
  CniOptions options_;
};

TEST_F(CniExecutorTest, AddChainsPrevResultWithEnvAndPortMappings) {
  WriteConf();
  CniExecutor cni(options_);
  ASSERT_TRUE(cni.Ready().ok()) << cni.Ready();
  auto result = cni.Setup(Pod());
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->ips, std::vector<std::string>{"10.99.0.7"});
  auto calls = Calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0]["type"], "fake-a");
  EXPECT_EQ(calls[1]["type"], "fake-ports");
  EXPECT_EQ(calls[2]["type"], "fake-b");
  for (const auto& c : calls) {
    EXPECT_EQ(c["command"], "ADD");
    EXPECT_EQ(c["containerId"], "abc123");
    EXPECT_EQ(c["netns"], dir_);
    EXPECT_EQ(c["ifname"], "eth0");
    EXPECT_EQ(c["args"], "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;K8S_POD_INFRA_CONTAINER_ID=abc123;K8S_POD_UID=u-1");
    EXPECT_EQ(c["cniPath"], dir_ + "/nonexistent:" + dir_ + "/bin");
    EXPECT_EQ(c["stdin"]["name"], "testnet");
    EXPECT_EQ(c["stdin"]["cniVersion"], "1.0.0");
  }
  EXPECT_FALSE(calls[0]["stdin"].contains("prevResult"));
  EXPECT_EQ(calls[1]["stdin"]["prevResult"]["ips"][0]["address"], "10.99.0.7/24");
  EXPECT_EQ(calls[2]["stdin"]["prevResult"]["ips"][0]["address"], "10.99.0.7/24");
  EXPECT_FALSE(calls[0]["stdin"].contains("runtimeConfig")) << "no portMappings capability";
  auto pm = calls[1]["stdin"]["runtimeConfig"]["portMappings"];
  ASSERT_EQ(pm.size(), 2u);
  EXPECT_EQ(pm[0], nlohmann::json::parse(R"({"hostPort":8080,"containerPort":80,"protocol":"tcp"})"));
  EXPECT_EQ(pm[1], nlohmann::json::parse(R"({"hostPort":5353,"containerPort":53,"protocol":"udp","hostIP":"127.0.0.1"})"));
  EXPECT_TRUE(PathExists(cni.CachePath("abc123")));
}

TEST_F(CniExecutorTest, DelReverseWithCachedResultEvenAfterConfigAndNetnsGone) {
  WriteConf();
  CniExecutor cni(options_);
  ASSERT_TRUE(cni.Setup(Pod()).ok());
  Calls();
  ASSERT_TRUE(RemoveTree(options_.conf_dir + "/10-test.conflist").ok());
  NetworkPod gone = Pod();
  gone.netns = dir_ + "/netns-gone";
  gone.port_mappings.clear();
  ASSERT_TRUE(cni.Teardown(gone).ok());
  auto calls = Calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0]["type"], "fake-b");
  EXPECT_EQ(calls[1]["type"], "fake-ports");
  EXPECT_EQ(calls[2]["type"], "fake-a");
  for (const auto& c : calls) {
    EXPECT_EQ(c["command"], "DEL");
    EXPECT_EQ(c["netns"], "") << "a netns that is gone is passed empty";
    EXPECT_EQ(c["stdin"]["prevResult"]["ips"][0]["address"], "10.99.0.7/24");
  }
  EXPECT_EQ(calls[1]["stdin"]["runtimeConfig"]["portMappings"].size(), 2u) << "cached port mappings are used for DEL";
  EXPECT_FALSE(PathExists(cni.CachePath("abc123")));
  EXPECT_TRUE(cni.Teardown(gone).ok()) << "idempotent: no cache, no config";
}

// The cache is not fsynced (cni_cache.h): after a machine crash it may be empty. DEL then runs with
// the current config instead of failing the pod's stop forever.
TEST_F(CniExecutorTest, EmptyCacheAfterACrashFallsBackToTheCurrentConfig) {
  WriteConf();
  CniExecutor cni(options_);
  ASSERT_TRUE(cni.Setup(Pod()).ok());
  Calls();
  ASSERT_TRUE(WriteFileAtomic(cni.CachePath("abc123"), "").ok());
  ASSERT_TRUE(cni.Teardown(Pod()).ok());
  auto calls = Calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0]["type"], "fake-b");
  EXPECT_EQ(calls[2]["type"], "fake-a");
  for (const auto& c : calls) EXPECT_EQ(c["command"], "DEL");
  EXPECT_FALSE(PathExists(cni.CachePath("abc123")));
}

TEST_F(CniExecutorTest, FailedAddIsRolledBackAndReported) {
  WriteConf();
  Fail("ADD\n");
  CniExecutor cni(options_);
  auto result = cni.Setup(Pod());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "cni plugin fake-a ADD for pod abc123: failpoint: ADD failed (asked by " + control_ + ") [cni error code 999]");
  auto calls = Calls();
  ASSERT_EQ(calls.size(), 4u);  // one ADD, then DEL for the whole list in reverse
  EXPECT_EQ(calls[0]["command"], "ADD");
  EXPECT_EQ(calls[1]["command"], "DEL");
  EXPECT_EQ(calls[3]["type"], "fake-a");
  EXPECT_FALSE(PathExists(cni.CachePath("abc123")));
}

TEST_F(CniExecutorTest, FailedDelKeepsCacheUntilARetrySucceeds) {
  WriteConf();
  CniExecutor cni(options_);
  ASSERT_TRUE(cni.Setup(Pod()).ok());
  Fail("DEL\n");
  absl::Status st = cni.Teardown(Pod());
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("failpoint: DEL failed"), std::string::npos) << st;
  EXPECT_TRUE(PathExists(cni.CachePath("abc123")));
  Fail("");
  ASSERT_TRUE(cni.Teardown(Pod()).ok());
  EXPECT_FALSE(PathExists(cni.CachePath("abc123")));
}

TEST_F(CniExecutorTest, CheckRunsOnlyFromCni04) {
  WriteConf("1.0.0");
  CniExecutor cni(options_);
  ASSERT_TRUE(cni.Setup(Pod()).ok());
  Calls();
  ASSERT_TRUE(cni.Check(Pod()).ok());
  auto calls = Calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0]["command"], "CHECK");
  EXPECT_EQ(calls[0]["stdin"]["prevResult"]["ips"][0]["address"], "10.99.0.7/24");
  Fail("CHECK\n");
  EXPECT_FALSE(cni.Check(Pod()).ok());
  ASSERT_TRUE(cni.Teardown(Pod()).ok());

  WriteConf("0.3.1");
  Fail("");
  ASSERT_TRUE(cni.Setup(Pod()).ok());
  Calls();
  Fail("CHECK\n");
  EXPECT_TRUE(cni.Check(Pod()).ok());
  EXPECT_TRUE(Calls().empty()) << "no CHECK before CNI 0.4.0";
}

TEST_F(CniExecutorTest, ReadyExplainsWhatIsMissing) {
  CniExecutor cni(options_);
  EXPECT_TRUE(absl::IsNotFound(cni.Ready()));
  ASSERT_TRUE(WriteFileAtomic(options_.conf_dir + "/10-x.conflist",
                              R"({"cniVersion":"1.0.0","name":"x","plugins":[{"type":"no-such-plugin"}]})").ok());
  absl::Status st = cni.Ready();
  EXPECT_TRUE(absl::IsFailedPrecondition(st)) << st;
  EXPECT_NE(st.message().find("no-such-plugin"), std::string::npos);
  EXPECT_FALSE(cni.Setup(Pod()).ok());
}

}  // namespace
}  // namespace podagent
