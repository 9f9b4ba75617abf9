// e2e: the real daemon's metrics endpoint, scraped by Debian's Prometheus server on loopback and
// queried through Prometheus' HTTP API; the CRI stats calls compared with the endpoint.
// Container checks drive the CRI (PullImage, RunPodSandbox, CreateContainer, StartContainer): they
// need the sandbox, image and container domains and fail, with the CRI's answer, without them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "runtime/common/ids.h"
#include "tests/e2e/metrics/prometheus_server.h"
#include "tests/lib/cri_client.h"
#include "tests/lib/daemon_fixture.h"
#include "tests/lib/shell.h"
#include "tests/lib/temp_dir.h"
#include "tests/lib/test_registry.h"
#include "tests/lib/test_daemon.h"

namespace podagent::testing {
namespace {

TEST(MetricsE2E, PromtoolAcceptsTheDeployedScrapeConfig) {
  auto out = RunShell("/usr/bin/promtool check config " + SourceDir() + "/deploy/prometheus/prometheus.yml");
  EXPECT_TRUE(out.ok()) << out.status();
}

class MetricsE2ETest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "e2e tests run the daemon as root";
    metrics_addr_ = absl::StrCat("127.0.0.1:", FreeLoopbackPort());
    ASSERT_TRUE(daemon_.Start(Yaml()).ok()) << daemon_.Log();
    cri_ = std::make_unique<CriClient>(daemon_.socket());
    auto prom = PrometheusServer::Start(dir_.Sub("prometheus"), metrics_addr_);
    ASSERT_TRUE(prom.ok()) << prom.status();
    prom_ = std::move(*prom);
  }
  void TearDown() override {
    if (!cri_) return;
    for (const std::string& c : containers_) {
      (void)cri_->StopContainer(c, 0);
      (void)cri_->RemoveContainer(c);
    }
    for (const std::string& p : pods_) {
      (void)cri_->StopPod(p);
      (void)cri_->RemovePod(p);
    }
    ExpectEmptyAndRemoveCgroup(cgroup_parent_);  // the pods' parent is the test's own
  }
  // Prometheus scrapes every second: the cgroups are read every second too (served from the
  // housekeeping cache, metrics/pod_text_cache.h), so rate() over 10 s windows has its samples.
  // The pods go under a parent of the test's own, never the node's default /podagent.
  virtual std::string Yaml() {
    return absl::StrCat("cgroup_parent: ", cgroup_parent_, "\nmetrics:\n  listen: \"", metrics_addr_,
                        "\"\n  housekeeping_seconds: 1\n");
  }

  std::string Scrape() {
    auto body = HttpGet(absl::StrCat("http://", metrics_addr_, "/metrics"));
    EXPECT_TRUE(body.ok()) << body.status();
    return body.ok() ? *body : "";
  }

  TempDir dir_{"podagent-metrics-e2e"};
  const std::string cgroup_parent_ = "/podagent-metrics-e2e-" + NewId().substr(0, 10);
  TestDaemon daemon_;
  std::string metrics_addr_;
  std::unique_ptr<CriClient> cri_;
  std::unique_ptr<PrometheusServer> prom_;
  std::vector<std::string> pods_, containers_;
};

TEST_F(MetricsE2ETest, EndpointServesPodagentsOwnMetrics) {
  cri::VersionResponse v;
  ASSERT_TRUE(cri_->Version(&v).ok());
  std::string text = Scrape();
  EXPECT_NE(text.find("podagent_build_info{git_commit="), std::string::npos) << text;
  EXPECT_NE(text.find("podagent_cri_requests_total{code=\"OK\",method=\"Version\"}"), std::string::npos) << text;
  EXPECT_NE(text.find("podagent_cri_request_duration_seconds_bucket{method=\"Version\""), std::string::npos);
  EXPECT_NE(text.find("podagent_pods{state=\"ready\"}"), std::string::npos);
  EXPECT_NE(text.find("podagent_containers{state=\"running\"}"), std::string::npos);
  EXPECT_NE(text.find("podagent_pause_processes"), std::string::npos);
  EXPECT_NE(text.find("podagent_shim_processes"), std::string::npos);
}

TEST_F(MetricsE2ETest, PrometheusScrapesPodagent) {
  auto up = prom_->WaitFor("up{job=\"podagent\"}", [](double v) { return v == 1; }, absl::Seconds(20));
  ASSERT_TRUE(up.ok()) << up.status() << "\n" << prom_->Log();
  auto info = prom_->WaitFor("podagent_build_info", [](double v) { return v == 1; }, absl::Seconds(10));
  EXPECT_TRUE(info.ok()) << info.status();
  auto versions = prom_->WaitFor("sum(podagent_cri_requests_total{method=\"Version\",code=\"OK\"})",
                                 [](double v) { return v >= 1; }, absl::Seconds(10));
  EXPECT_TRUE(versions.ok()) << versions.status();
}

// Pods and containers through the CRI, from the busybox image in a loopback registry.
class MetricsContainersE2ETest : public MetricsE2ETest {
 protected:
  static void SetUpTestSuite() {
    registry_dir_ = new TempDir("podagent-metrics-registry");
    auto r = TestRegistry::StartWithBusybox(registry_dir_->path());
    if (r.ok()) {
      registry_ = r->release();
    } else {
      registry_error_ = new std::string(r.status().ToString());
    }
  }
  static void TearDownTestSuite() {
    delete registry_;
    delete registry_dir_;
    delete registry_error_;
    registry_ = nullptr;
    registry_dir_ = nullptr;
    registry_error_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(registry_, nullptr) << "test registry: " << *registry_error_;
    MetricsE2ETest::SetUp();
    ASSERT_FALSE(HasFatalFailure());
    std::string ref;
    grpc::Status pulled = cri_->PullImage(registry_->BusyboxRef(), &ref);
    ASSERT_TRUE(pulled.ok()) << "PullImage " << registry_->BusyboxRef() << ": " << pulled.error_message();
  }
  std::string Yaml() override {
    return MetricsE2ETest::Yaml() + "registry:\n  insecure: [\"" + registry_->addr() + "\"]\n";
  }

  cri::PodSandboxConfig PodConfig(const std::string& name) {
    cri::PodSandboxConfig c;
    c.mutable_metadata()->set_name(name);
    c.mutable_metadata()->set_namespace_("metrics-e2e");
    c.mutable_metadata()->set_uid("uid-" + name);
    c.set_log_directory(dir_.Sub("logs-" + name));
    (*c.mutable_labels())["user-label"] = "must-not-appear";
    // Host network: these checks are about cgroups and need no CNI network.
    auto* ns = c.mutable_linux()->mutable_security_context()->mutable_namespace_options();
    ns->set_network(cri::NamespaceMode::NODE);
    return c;
  }
  // Runs a pod with one container running `script` under sh; fails the test on any CRI error.
  void RunContainer(const std::string& pod_name, const std::string& name, const std::string& script,
                    int64_t memory_limit = 0) {
    cri::PodSandboxConfig pod = PodConfig(pod_name);
    std::string pod_id;
    grpc::Status st = cri_->RunPod(pod, &pod_id);
    ASSERT_TRUE(st.ok()) << "RunPodSandbox: " << st.error_message();
    pods_.push_back(pod_id);
    cri::ContainerConfig c;
    c.mutable_metadata()->set_name(name);
    c.mutable_image()->set_image(registry_->BusyboxRef());
    c.add_command("sh");
    c.add_args("-c");
    c.add_args(script);
    c.set_log_path(name + ".log");
    if (memory_limit > 0) c.mutable_linux()->mutable_resources()->set_memory_limit_in_bytes(memory_limit);
    std::string id;
    st = cri_->CreateContainer(pod_id, c, pod, &id);
    ASSERT_TRUE(st.ok()) << "CreateContainer: " << st.error_message();
    containers_.push_back(id);
    st = cri_->StartContainer(id);
    ASSERT_TRUE(st.ok()) << "StartContainer: " << st.error_message();
  }
  static std::string Sel(const std::string& pod, const std::string& container) {
    return absl::StrCat("{pod=\"", pod, "\",namespace=\"metrics-e2e\",container=\"", container, "\"}");
  }

  static TempDir* registry_dir_;
  static TestRegistry* registry_;
  static std::string* registry_error_;
};
TempDir* MetricsContainersE2ETest::registry_dir_ = nullptr;
TestRegistry* MetricsContainersE2ETest::registry_ = nullptr;
std::string* MetricsContainersE2ETest::registry_error_ = nullptr;

TEST_F(MetricsContainersE2ETest, WorkingSetOfARunningContainer) {
  // 20 MiB held in a shell variable keeps the working set visibly above zero (the shell must
  // not exec its last command, or the variable goes away: hence the echo after the sleep).
  ASSERT_NO_FATAL_FAILURE(
      RunContainer("ws", "holder", "x=$(head -c 20000000 /dev/zero | tr '\\0' a); sleep 3600; echo ${#x}"));
  auto ws = prom_->WaitFor("container_memory_working_set_bytes" + Sel("ws", "holder"),
                           [](double v) { return v > 10e6; }, absl::Seconds(30));
  EXPECT_TRUE(ws.ok()) << ws.status();
  // The pod-level series (container="") and the spec/start families are there too.
  auto pod = prom_->WaitFor("container_memory_working_set_bytes" + Sel("ws", ""), [](double v) { return v > 0; },
                            absl::Seconds(10));
  EXPECT_TRUE(pod.ok()) << pod.status();
  auto start = prom_->WaitFor("container_start_time_seconds" + Sel("ws", "holder"),
                              [](double v) { return v > 1.6e9; }, absl::Seconds(10));
  EXPECT_TRUE(start.ok()) << start.status();
  auto procs = prom_->WaitFor("container_processes" + Sel("ws", "holder"), [](double v) { return v >= 1; },
                              absl::Seconds(10));
  EXPECT_TRUE(procs.ok()) << procs.status();
  EXPECT_EQ(Scrape().find("must-not-appear"), std::string::npos) << "a user label became a metric label";
}

TEST_F(MetricsContainersE2ETest, CpuRateOfABusyContainerIsNearOneCore) {
  ASSERT_NO_FATAL_FAILURE(RunContainer("cpu", "burn", "while :; do :; done"));
  // rate() over 10 s of 1 s scrapes; the machine is shared, so "near" is 0.6 .. 1.15 cores.
  auto rate = prom_->WaitFor("rate(container_cpu_usage_seconds_total" + Sel("cpu", "burn") + "[10s])",
                             [](double v) { return v > 0.6 && v < 1.15; }, absl::Seconds(40));
  EXPECT_TRUE(rate.ok()) << rate.status();
  auto user = prom_->WaitFor("rate(container_cpu_user_seconds_total" + Sel("cpu", "burn") + "[10s])",
                             [](double v) { return v > 0.4; }, absl::Seconds(10));
  EXPECT_TRUE(user.ok()) << user.status();
}

TEST_F(MetricsContainersE2ETest, OomKillIncreasesOomEvents) {
  // Sleep first so Prometheus records 0 (a loaded machine may take seconds to scrape a new
  // series), then dd's 64 MiB buffer meets a 32 MiB limit; the shell survives (dd is the one
  // killed), so the container and its cgroup stay.
  ASSERT_NO_FATAL_FAILURE(
      RunContainer("oom", "victim", "sleep 12; dd if=/dev/zero of=/dev/null bs=64M count=1; sleep 3600; true", 32 << 20));
  auto zero = prom_->WaitFor("container_oom_events_total" + Sel("oom", "victim"), [](double v) { return v == 0; },
                             absl::Seconds(20));
  EXPECT_TRUE(zero.ok()) << zero.status();
  auto inc = prom_->WaitFor("increase(container_oom_events_total" + Sel("oom", "victim") + "[1m])",
                            [](double v) { return v >= 0.9; }, absl::Seconds(40));
  EXPECT_TRUE(inc.ok()) << inc.status();
  auto limit = prom_->WaitFor("container_spec_memory_limit_bytes" + Sel("oom", "victim"),
                              [](double v) { return v == 32 << 20; }, absl::Seconds(5));
  EXPECT_TRUE(limit.ok()) << limit.status();
}

// The CRI stats calls and the endpoint read the same cgroups: their figures agree.
TEST_F(MetricsContainersE2ETest, CriStatsAgreeWithTheEndpoint) {
  ASSERT_NO_FATAL_FAILURE(
      RunContainer("agree", "idle", "x=$(head -c 8000000 /dev/zero | tr '\\0' a); sleep 3600; echo ${#x}"));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  cri::ListContainerStatsRequest req;
  req.mutable_filter()->set_id(containers_.back());
  cri::ListContainerStatsResponse resp;
  grpc::Status st = cri_->Call(&cri::RuntimeService::Stub::ListContainerStats, req, &resp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  ASSERT_EQ(resp.stats_size(), 1);
  const cri::ContainerStats& s = resp.stats(0);
  EXPECT_EQ(s.attributes().metadata().name(), "idle");
  double ws = static_cast<double>(s.memory().working_set_bytes().value());
  EXPECT_GT(ws, 8e6);
  auto endpoint_ws = prom_->WaitFor("container_memory_working_set_bytes" + Sel("agree", "idle"),
                                    [&](double v) { return std::abs(v - ws) < 0.1 * ws; }, absl::Seconds(15));
  EXPECT_TRUE(endpoint_ws.ok()) << "CRI working set " << ws << ": " << endpoint_ws.status();

  cri::PodSandboxStatsRequest preq;
  preq.set_pod_sandbox_id(pods_.back());
  cri::PodSandboxStatsResponse presp;
  st = cri_->Call(&cri::RuntimeService::Stub::PodSandboxStats, preq, &presp);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(presp.stats().attributes().metadata().name(), "agree");
  // Pod against container from the same response: read moments apart, not seconds (the
  // container's working set can shrink between two calls as the kernel ages its pages).
  ASSERT_EQ(presp.stats().linux().containers_size(), 1);
  EXPECT_GE(presp.stats().linux().memory().working_set_bytes().value(),
            presp.stats().linux().containers(0).memory().working_set_bytes().value());
  EXPECT_GT(presp.stats().linux().containers(0).memory().working_set_bytes().value(), 8e6);
  EXPECT_GE(presp.stats().linux().process().process_count().value(), 2u);  // pause + sh (+ sleep)
}

}  // namespace
}  // namespace podagent::testing
