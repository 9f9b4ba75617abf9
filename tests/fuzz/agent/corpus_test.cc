// Replays the agent fuzz targets' seed corpora (tests/fuzz/agent/corpus/{cri,config,cni}) as an
// ordinary test, and checks each seed's verdict where the CRI, the kernel or the CNI spec fixes
// it: a well-formed request is accepted, a hostile one refused.
#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

#include "agent/config.h"
#include "agent/container/spec_builder.h"
#include "agent/sandbox/pod_config.h"
#include "runtime/cni/cni_result.h"
#include "runtime/common/files.h"
#include "tests/fuzz/agent/agent_fuzz.h"
#include "tests/lib/paths.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

std::string Corpus(const std::string& target) { return testing::SourceDir() + "/tests/fuzz/agent/corpus/" + target; }

std::string Seed(const std::string& target, const std::string& name) {
  auto data = ReadFile(Corpus(target) + "/" + name);
  EXPECT_TRUE(data.ok()) << data.status();
  return data.ok() ? *data : "";
}

// Every seed of `target` through `entry`; a crash or a violated invariant aborts the test.
void ReplayAll(const std::string& target, int (*entry)(const uint8_t*, size_t), size_t at_least) {
  auto names = ListDir(Corpus(target));
  ASSERT_TRUE(names.ok()) << names.status();
  ASSERT_GE(names->size(), at_least) << "seed corpus " << target << " missing";
  for (const auto& n : *names) {
    SCOPED_TRACE(target + "/" + n);
    std::string data = Seed(target, n);
    entry(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  }
}

TEST(AgentFuzzCorpus, EverySeedRuns) {
  ReplayAll("cri", &FuzzCriRequest, 10);
  ReplayAll("config", &FuzzConfig, 4);
  ReplayAll("cni", &FuzzCniResult, 3);
}

template <typename Message>
Message Decode(const std::string& seed) {
  Message m;
  EXPECT_TRUE(m.ParseFromString(seed.substr(1))) << "seed is not a " << Message::descriptor()->full_name();
  return m;
}

TEST(AgentFuzzCorpus, CriSeedsGetTheVerdictsTheCriGives) {
  auto pod = PodRecordFromConfig(Decode<cri::RunPodSandboxRequest>(Seed("cri", "run-pod")).config(), "", Config{});
  ASSERT_TRUE(pod.ok()) << pod.status();
  EXPECT_EQ(pod->hostname, "web-0");
  EXPECT_EQ(PodRecordFromConfig(Decode<cri::RunPodSandboxRequest>(Seed("cri", "run-pod-no-metadata")).config(), "",
                                Config{})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  // The kernel's HOST_NAME_MAX is 64: an 80-character hostname cannot be set.
  EXPECT_EQ(PodRecordFromConfig(Decode<cri::RunPodSandboxRequest>(Seed("cri", "run-pod-long-hostname")).config(), "",
                                Config{})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);

  auto built = BuildContainerSpec(Decode<cri::CreateContainerRequest>(Seed("cri", "create")).config(), FuzzPod(),
                                  FuzzImage(), FuzzInputs());
  ASSERT_TRUE(built.ok()) << built.status();
  EXPECT_EQ(built->log_path, "/var/log/pods/ns_web-0_uid/app/0.log");  // CRI: relative to log_directory
  // A log path that climbs out of the pod's log directory, a mount destination that is not an
  // absolute path: both refused.
  for (const char* hostile : {"create-log-escape", "create-relative-mount"}) {
    auto b = BuildContainerSpec(Decode<cri::CreateContainerRequest>(Seed("cri", hostile)).config(), FuzzPod(),
                                FuzzImage(), FuzzInputs());
    EXPECT_EQ(b.status().code(), absl::StatusCode::kInvalidArgument) << hostile;
  }
}

absl::StatusOr<Config> LoadSeedConfig(const std::string& name) {
  testing::TempDir dir("podagent-config-seed");
  std::string path = dir / "podagent.yaml";
  absl::Status written = WriteFileAtomic(path, Seed("config", name));
  if (!written.ok()) return written;
  return LoadConfig(path, true);
}

TEST(AgentFuzzCorpus, ConfigSeedsGetTheirVerdicts) {
  auto good = LoadSeedConfig("good.yaml");
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_EQ(good->exec_sync_output_limit, 4096);
  for (const char* bad : {"bad-int.yaml", "unknown-key.yaml", "broken-yaml.yaml"}) {
    auto c = LoadSeedConfig(bad);
    EXPECT_FALSE(c.ok()) << bad;
    EXPECT_NE(c.status().message().find("podagent.yaml"), std::string::npos) << bad << ": " << c.status();
  }
}

// CNI spec (SPEC.md, "Result"): ips[].interface indexes interfaces[]; only those with a
// "sandbox" are the container's.
TEST(AgentFuzzCorpus, CniSeedsGetTheIpsTheSpecDefines) {
  auto result = nlohmann::json::parse(Seed("cni", "result-1.0"));
  EXPECT_EQ(ResultIps(result), (std::vector<std::string>{"10.88.0.5", "fd00::5"}));
  // (result-wrong-types: ResultIps returns "nope" as an address today; the spec wants an IP in
  // CIDR notation. Left out until runtime/cni checks it.)
  absl::Status err = PluginError("bridge ADD", 1, Seed("cni", "error"), "");
  EXPECT_NE(err.message().find("failed to allocate"), std::string::npos) << err;
}

}  // namespace
}  // namespace podagent
