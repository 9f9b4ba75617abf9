#include "agent/config.h"

#include <cstdlib>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"
#include "tests/lib/paths.h"

namespace podagent {
namespace {

using ::testing::HasSubstr;

class ConfigTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& text) {
    std::string path = dir_.Sub("podagent.yaml");
    EXPECT_TRUE(WriteFileAtomic(path, text).ok());
    return path;
  }
  testing::TempDir dir_;
};

TEST_F(ConfigTest, MissingDefaultFileMeansDefaults) {
  auto c = LoadConfig(dir_.Sub("absent.yaml"), /*explicit_path=*/false);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->socket, "/run/podagent/podagent.sock");
  EXPECT_EQ(c->root_dir, "/var/lib/podagent");
  EXPECT_EQ(c->run_dir, "/run/podagent");
  EXPECT_EQ(c->metrics_listen, "127.0.0.1:9470");
  EXPECT_EQ(c->cni.conf_dir, "/etc/cni/net.d");
  EXPECT_THAT(c->cni.bin_dirs, ::testing::ElementsAre("/opt/cni/bin", "/usr/lib/cni"));
  EXPECT_TRUE(c->config_file.empty());
}

TEST_F(ConfigTest, MissingExplicitFileIsAnError) {
  auto c = LoadConfig(dir_.Sub("absent.yaml"), /*explicit_path=*/true);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("absent.yaml"));
}

TEST_F(ConfigTest, ReadsEveryKindOfKey) {
  auto c = LoadConfig(Write(R"(
socket: /tmp/x.sock
root_dir: /tmp/root
run_dir: /tmp/run
log_level: debug
log_format: json
cgroup_parent: /kubepods
runtime_handlers: ["", "runc"]
shutdown_grace_seconds: 2
metrics:
  listen: 127.0.0.1:9999
  housekeeping_seconds: 0
cni:
  conf_dir: /tmp/cni
  bin_dirs: [/a, /b]
registry:
  mirrors:
    registry.k8s.io: [http://127.0.0.1:5000]
  insecure: [myregistry:5000]
  retries: 5
)"),
                      true);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->socket, "/tmp/x.sock");
  EXPECT_EQ(c->log_level, "debug");
  EXPECT_EQ(c->log_format, "json");
  EXPECT_EQ(c->cgroup_parent, "/kubepods");
  EXPECT_THAT(c->runtime_handlers, ::testing::ElementsAre("", "runc"));
  EXPECT_EQ(c->shutdown_grace_seconds, 2);
  EXPECT_EQ(c->metrics_listen, "127.0.0.1:9999");
  EXPECT_EQ(c->metrics_housekeeping_seconds, 0);
  EXPECT_EQ(c->cni.conf_dir, "/tmp/cni");
  EXPECT_THAT(c->cni.bin_dirs, ::testing::ElementsAre("/a", "/b"));
  EXPECT_THAT(c->registry.mirrors["registry.k8s.io"], ::testing::ElementsAre("http://127.0.0.1:5000"));
  EXPECT_THAT(c->registry.insecure, ::testing::ElementsAre("myregistry:5000"));
  EXPECT_EQ(c->registry.retries, 5);
}

TEST_F(ConfigTest, UnknownKeyNamesFileLineAndKey) {
  std::string path = Write("socket: /tmp/x.sock\n\ncni:\n  conf_dir: /tmp/c\n  bogus: 1\n");
  auto c = LoadConfig(path, true);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(c.status().message()), path + ":5: key cni.bogus: unknown key");
}

TEST_F(ConfigTest, WrongTypeNamesTheKey) {
  std::string path = Write("shutdown_grace_seconds: soon\n");
  auto c = LoadConfig(path, true);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()), HasSubstr(path + ":1: key shutdown_grace_seconds"));
}

TEST_F(ConfigTest, BadValuesAreRefused) {
  for (const char* text : {"log_level: loud\n", "root_dir: relative/dir\n", "cni:\n  bin_dirs: /not/a/list\n",
                           "registry:\n  mirrors:\n    docker.io: [ftp://x]\n", "shutdown_grace_seconds: -1\n",
                           "metrics: 5\n"}) {
    auto c = LoadConfig(Write(text), true);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(std::string(c.status().message()), HasSubstr(": key ")) << text;
  }
}

TEST_F(ConfigTest, MetricsHousekeepingIsBounded) {
  EXPECT_EQ(Config().metrics_housekeeping_seconds, 10) << "cAdvisor's housekeeping interval in kubelet";
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& t : std::vector<Case>{
           {"metrics:\n  housekeeping_seconds: -1\n", "key metrics.housekeeping_seconds: must be at least 0"},
           {"metrics:\n  housekeeping_seconds: 301\n", "key metrics.housekeeping_seconds: 301 is absurd"},
           {"metrics:\n  housekeeping_seconds: often\n", "key metrics.housekeeping_seconds"}}) {
    auto c = LoadConfig(Write(t.text), true);
    ASSERT_FALSE(c.ok()) << t.text;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << t.text;
    EXPECT_THAT(std::string(c.status().message()), HasSubstr(t.says)) << t.text;
  }
}

TEST_F(ConfigTest, StreamingLimits) {
  auto c = LoadConfig(Write("streaming:\n  max_sessions: 3\n  token_ttl_seconds: 5\n  buffer_bytes: 8192\n"
                            "  idle_timeout_seconds: 90\n"),
                      true);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->streaming.max_sessions, 3);
  EXPECT_EQ(c->streaming.token_ttl_seconds, 5);
  EXPECT_EQ(c->streaming.buffer_bytes, 8192);
  EXPECT_EQ(c->streaming.idle_timeout_seconds, 90);
  EXPECT_EQ(c->ToJson()["streaming"]["idle_timeout_seconds"], 90);
}

TEST_F(ConfigTest, StreamingLimitsRefuseZeroNegativeAndAbsurd) {
  struct Case {
    const char* text;
    const char* says;
  };
  for (const Case& t : std::vector<Case>{
           {"streaming:\n  max_sessions: 0\n", "key streaming.max_sessions: must be at least 1"},
           {"streaming:\n  max_sessions: 1000000\n", "key streaming.max_sessions: 1000000 is absurd"},
           {"streaming:\n  token_ttl_seconds: -5\n", "key streaming.token_ttl_seconds: must be at least 1"},
           {"streaming:\n  token_ttl_seconds: 86400\n", "key streaming.token_ttl_seconds: 86400 is absurd"},
           {"streaming:\n  buffer_bytes: 0\n", "key streaming.buffer_bytes: must be at least 4096"},
           {"streaming:\n  buffer_bytes: 99999999999\n", "key streaming.buffer_bytes: 99999999999 is absurd"},
           {"streaming:\n  idle_timeout_seconds: 0\n", "key streaming.idle_timeout_seconds: must be at least 1"},
           {"streaming:\n  idle_timeout_seconds: 1e9\n", "key streaming.idle_timeout_seconds: expected an integer"},
           {"streaming:\n  idle_timeout_seconds: 99999999\n", "key streaming.idle_timeout_seconds: 99999999 is absurd"},
       }) {
    std::string path = Write(t.text);
    auto c = LoadConfig(path, true);
    ASSERT_FALSE(c.ok()) << t.text;
    EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument) << t.text;
    EXPECT_THAT(std::string(c.status().message()), HasSubstr(path + ":2: " + t.says)) << t.text;
  }
}

TEST_F(ConfigTest, SyntaxErrorNamesTheLine) {
  std::string path = Write("socket: /tmp/x\nroot_dir: [unclosed\n");
  auto c = LoadConfig(path, true);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()), HasSubstr(path + ":"));
}

TEST_F(ConfigTest, EmptyFileMeansDefaults) {
  auto c = LoadConfig(Write(""), true);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->socket, "/run/podagent/podagent.sock");
}

TEST_F(ConfigTest, FinishFillsDerivedDefaults) {
  Config c;
  c.root_dir = "/srv/pa";
  ASSERT_TRUE(FinishConfig(c, "/opt/podagent/bin").ok());
  EXPECT_EQ(c.cni.cache_dir, "/srv/pa/cni");
  EXPECT_EQ(c.pause_binary, "/opt/podagent/bin/podagent-pause");
  EXPECT_EQ(c.shim_binary, "/opt/podagent/bin/podagent-shim");
}

TEST_F(ConfigTest, FinishChecksFlagValues) {
  Config c;
  c.log_level = "chatty";
  EXPECT_FALSE(FinishConfig(c, "/x").ok());
  c = Config();
  c.metrics_listen = "127.0.0.1";
  EXPECT_FALSE(FinishConfig(c, "/x").ok());
  c = Config();
  c.metrics_listen = "127.0.0.1:99999";
  EXPECT_FALSE(FinishConfig(c, "/x").ok());
  c = Config();
  c.metrics_listen = "";
  EXPECT_TRUE(FinishConfig(c, "/x").ok());
}

TEST_F(ConfigTest, JsonShowsEffectiveValues) {
  Config c;
  c.registry.mirrors["registry.k8s.io"] = {"http://127.0.0.1:5000"};
  nlohmann::json j = c.ToJson();
  EXPECT_EQ(j["socket"], "/run/podagent/podagent.sock");
  EXPECT_EQ(j["registry"]["mirrors"]["registry.k8s.io"][0], "http://127.0.0.1:5000");
}

// deploy/podagent.yaml documents every key with its default: it must parse, and mean exactly the
// built-in defaults.
TEST_F(ConfigTest, ShippedConfigIsExactlyTheDefaults) {
  auto shipped = LoadConfig(testing::SourceDir() + "/deploy/podagent.yaml", true);
  ASSERT_TRUE(shipped.ok()) << shipped.status();
  Config defaults;
  nlohmann::json a = shipped->ToJson(), b = defaults.ToJson();
  a.erase("config_file");
  b.erase("config_file");
  EXPECT_EQ(a, b) << "deploy/podagent.yaml: " << a.dump(1) << "\nbuilt-in: " << b.dump(1);
}

}  // namespace
}  // namespace podagent
