// e2e smoke of podagent-cri-bench, so the driver never rots: the real daemon (CniDaemonTest) with a
// CNI bridge, metrics on loopback and a private registry; the driver runs with N=2 rounds and K=2
// pods and must exit 0 with every row of its JSON filled for podagent, and a SIGTERM mid-run must
// leave nothing behind. Times are never asserted.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "runtime/common/files.h"
#include "runtime/common/unique_fd.h"
#include "runtime/process/run_command.h"
#include "runtime/process/spawn.h"
#include "tests/fixtures/image/test_registry.h"
#include "tests/lib/cni_e2e.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/http_get.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

namespace cri = ::runtime::v1;

constexpr char kPath[] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";

// Every row the driver prints for one runtime with --rounds 2 --pods 2, a large image and a
// metrics URL, with the number of samples each must hold.
const std::vector<std::pair<std::string, int>> kRows = {
    {"idle daemon RSS", 1},
    {"idle daemon PSS", 1},
    {"RunPodSandbox, host network", 2},
    {"StopPodSandbox, host network", 2},
    {"RemovePodSandbox, host network", 2},
    {"RunPodSandbox, CNI bridge", 2},
    {"CreateContainer", 2},
    {"StartContainer", 2},
    {"ExecSync (true)", 2},
    {"StopContainer (exits on SIGTERM)", 2},
    {"RemoveContainer", 2},
    {"StopPodSandbox, CNI bridge", 2},
    {"RemovePodSandbox, CNI bridge", 2},
    {"CNI chain ADD alone (RunPodSandbox bound)", 2},
    {"CNI chain DEL alone (StopPodSandbox bound)", 2},
    {"K host-network pods started at once, K=2", 1},
    {"K host-network pods torn down, K=2", 1},
    {"K pods started at once, K=2", 1},
    {"RSS per pod (pause+shim+daemon growth) at K=2", 1},
    {"PSS per pod (pause+shim+daemon growth) at K=2", 1},
    {"  pause RSS per pod at K=2", 1},
    {"  shim RSS per pod at K=2", 1},
    {"  shim processes per pod at K=2", 1},
    {"  daemon RSS growth per pod at K=2", 1},
    {"ListPodSandbox at K=2", 1},
    {"ListContainers at K=2", 1},
    {"ListContainerStats at K=2", 1},
    {"ListPodSandboxStats at K=2", 1},
    {"/metrics first scrape at K=2", 1},
    {"/metrics scrape at K=2", 1},
    {"/metrics scrape, gzip at K=2", 1},
    {"K pods torn down, K=2", 1},
    {"K CNI chain ADDs at once, K=2", 1},
    {"K CNI chain DELs at once, K=2", 1},
    {"PullImage, small image", 2},
    {"RemoveImage, small image", 2},
    {"PullImage, multi-layer image", 2},
    {"RemoveImage, multi-layer image", 2},
};

class CriBenchSmoke : public testing::CniDaemonTest {
 protected:
  CriBenchSmoke() : CniDaemonTest("podagent-bench-smoke", 150) {}
  void SetUp() override {
    auto registry = imagetest::TestRegistry::Start(dir_.Sub("registry"));
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = std::move(*registry);
    auto layout = imagetest::MakeBusyboxLayout(dir_.Sub("images"));
    ASSERT_TRUE(layout.ok()) << layout.status();
    ASSERT_TRUE(registry_->Push(*layout, "bench/small:1").ok());
    ASSERT_TRUE(registry_->Push(*layout, "bench/large:1").ok());
    metrics_addr_ = absl::StrCat("127.0.0.1:", testing::FreeLoopbackPort());
    extra_yaml_ = absl::StrCat("metrics:\n  listen: \"", metrics_addr_, "\"\n");
    CniDaemonTest::SetUp();
  }
  void TearDown() override {
    CniDaemonTest::TearDown();
    registry_.reset();
  }

  std::vector<std::string> DriverArgv(const std::string& json, const std::string& rounds) {
    return {testing::BinDir() + "/podagent-cri-bench", "--endpoint", daemon_->socket(), "--rounds", rounds, "--pods",
            "2", "--clients", "2", "--list-rounds", "1", "--image",
            absl::StrCat(registry_->addr(), "/bench/small:1,", registry_->addr(), "/bench/large:1"),
            "--metrics-url", absl::StrCat("http://", metrics_addr_, "/metrics"), "--json", json,
            "--cni-conflist", conf_dir_ + "/10-podagent.conflist", "--cni-bin-dir", "/usr/lib/cni"};
  }

  // Runs the driver (bounded, through the project's RunCommand); its exit code and output.
  int RunDriver(const std::string& json, std::string* output) {
    CommandOptions o;
    o.argv = DriverArgv(json, "2");
    o.env = {kPath};
    o.timeout = absl::Seconds(600);
    auto r = RunCommand(o);
    if (!r.ok()) {
      *output = std::string(r.status().message());
      return -1;
    }
    *output = r->out + r->err;
    return r->exit_code;
  }

  // Nothing the driver made is left: no pod, no held address, no mount of its own.
  void ExpectNothingLeft() {
    cri::ListPodSandboxResponse pods;
    ASSERT_TRUE(client_->ListPods({}, &pods).ok());
    EXPECT_EQ(pods.items_size(), 0);
    EXPECT_TRUE(HeldAddresses().empty()) << HeldAddresses()[0];
    auto mounts = ReadFile("/proc/self/mountinfo");
    ASSERT_TRUE(mounts.ok()) << mounts.status();
    EXPECT_EQ(mounts->find("podagent-cri-bench"), std::string::npos) << "the driver left a mount:\n" << *mounts;
    // The driver's cgroup parent, /podagent-bench-<8 hex> (bench_target.cc), is gone too.
    std::string root = PathExists("/sys/fs/cgroup/memory") ? "/sys/fs/cgroup/memory" : "/sys/fs/cgroup";
    auto names = ListDir(root);
    ASSERT_TRUE(names.ok()) << names.status();
    for (const std::string& n : *names) {
      bool parent = n.size() == 23 && absl::StartsWith(n, "podagent-bench-") &&
                    n.find_first_not_of("0123456789abcdef", 15) == std::string::npos;
      EXPECT_FALSE(parent) << "the driver left its cgroup parent " << root << "/" << n;
    }
  }

  // host-local's files naming an address still held (it keeps "lock" and "last_reserved_ip.0").
  std::vector<std::string> HeldAddresses() {
    auto names = ListDir(ipam_dir_ + "/" + network_);
    std::vector<std::string> held;
    for (const std::string& n : names.ok() ? *names : std::vector<std::string>{}) {
      if (!n.empty() && std::isdigit(static_cast<unsigned char>(n[0]))) held.push_back(n);
    }
    return held;
  }

  testing::TempDir dir_{"podagent-bench-smoke"};
  std::string metrics_addr_;
  std::unique_ptr<imagetest::TestRegistry> registry_;
};

TEST_F(CriBenchSmoke, EveryRowIsFilled) {
  std::string json_path = dir_.Sub("bench.json"), output;
  int rc = RunDriver(json_path, &output);
  ASSERT_EQ(rc, 0) << output << "\ndaemon log:\n" << daemon_->Log();
  auto text = ReadFile(json_path);
  ASSERT_TRUE(text.ok()) << text.status();
  nlohmann::json j = nlohmann::json::parse(*text);
  EXPECT_TRUE(j["errors"].empty()) << j["errors"].dump();
  std::map<std::string, nlohmann::json> rows;
  for (const auto& row : j["rows"]) rows[row["name"].get<std::string>()] = row;
  for (const auto& [name, n] : kRows) {
    ASSERT_TRUE(rows.count(name)) << "missing row \"" << name << "\" in\n" << output;
    const nlohmann::json& r = rows[name]["results"]["podagent"];
    EXPECT_EQ(r["n"].get<int>(), n) << name;
    EXPECT_EQ(r["samples"].size(), static_cast<size_t>(n)) << name;
    for (const auto& v : r["samples"]) EXPECT_TRUE(v.is_number()) << name;
  }
  EXPECT_EQ(rows.size(), kRows.size()) << "rows the smoke does not know: update kRows\n" << output;
  // The daemon's own pid is what the memory rows were measured on.
  EXPECT_GT(rows["idle daemon RSS"]["results"]["podagent"]["p50"].get<double>(), 0.0);
  // Everything the driver created is gone: pods, the CNI bound's addresses and namespaces.
  ExpectNothingLeft();
  EXPECT_EQ(output.find("cni bound"), std::string::npos) << output;
}

// SIGTERM in the middle of the rounds: the driver stops at the next step, removes the pods it
// made and exits 1 (its figures are incomplete).
TEST_F(CriBenchSmoke, SigtermRemovesWhatItMade) {
  std::string log_path = dir_.Sub("driver.log");
  UniqueFd log(::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  ASSERT_TRUE(log) << std::strerror(errno);
  SpawnOptions so;
  so.argv = DriverArgv(dir_.Sub("bench.json"), "1000");
  so.env = {kPath};
  so.fds = {{1, log.Get()}, {2, log.Get()}};
  auto driver = Spawn(so);
  ASSERT_TRUE(driver.ok()) << driver.status();
  bool seen_pod = false;
  for (int i = 0; i < 600 && !seen_pod; ++i) {  // the rounds begin after the first pull
    cri::ListPodSandboxResponse pods;
    seen_pod = client_->ListPods({}, &pods).ok() && pods.items_size() > 0;
    if (!seen_pod) absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(seen_pod) << "the driver made no pod in 60 s";
  ASSERT_TRUE(driver->Signal(SIGTERM).ok());
  auto exited = driver->Wait(absl::Seconds(120));
  if (!exited.ok()) (void)driver->Terminate(SIGKILL, absl::Seconds(10));
  auto output = ReadFile(log_path);
  ASSERT_TRUE(exited.ok()) << exited.status() << "\n" << (output.ok() ? *output : "");
  EXPECT_EQ(exited->exit_code, 1) << (output.ok() ? *output : "");
  ASSERT_TRUE(output.ok()) << output.status();
  EXPECT_NE(output->find("stopped by a signal before the end"), std::string::npos) << *output;
  ExpectNothingLeft();
}

}  // namespace
}  // namespace podagent
