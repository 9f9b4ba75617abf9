#include "agent/stats/stats_manager.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>

#include "absl/strings/str_cat.h"
#include "agent/stats/cri_stats.h"
#include "runtime/common/files.h"
#include "tests/lib/http_get.h"
#include "tests/unit/metrics/fixture.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

using testing::CgroupFixture;

const char kPodId[] = "aaa0000000000000000000000000000000000000000000000000000000000000";
const char kCtrId[] = "ccc1000000000000000000000000000000000000000000000000000000000000";

cri::ContainerStatsRequest MakeReq(const std::string& id) {
  cri::ContainerStatsRequest req;
  req.set_container_id(id);
  return req;
}

class FakePods : public PodLookup {
 public:
  std::vector<PodInfo> pods;
  absl::StatusOr<PodInfo> GetPod(const std::string& id) const override {
    for (const PodInfo& p : pods) {
      if (p.id.starts_with(id)) return p;
    }
    return absl::NotFoundError(absl::StrCat("pod sandbox ", id, " not found"));
  }
  std::vector<PodInfo> ListPods() const override { return pods; }
  absl::Status WaitDurable(const std::string&) override { return absl::OkStatus(); }
};

class FakeContainers : public ContainerRegistry {
 public:
  std::vector<ContainerInfo> containers;
  absl::Status StopAllInPod(const std::string&, int64_t) override { return absl::OkStatus(); }
  absl::Status RemoveAllInPod(const std::string&) override { return absl::OkStatus(); }
  std::set<std::string> ImagesInUse() const override { return {}; }
  std::vector<ContainerInfo> ListContainerInfos() override { return containers; }
};

class StatsManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PodInfo pod;
    pod.id = kPodId;
    pod.name = "web";
    pod.namespace_ = "default";
    pod.uid = "uid-1";
    pod.attempt = 1;
    pod.ready = true;
    pod.cgroup_path = "/podagent/podaaa";
    pod.pause_pid = ::getpid();  // this process's netns stands in for the pod's
    pod.labels = {{"app", "web"}};
    pods_.pods = {pod};
    ContainerInfo c;
    c.id = kCtrId;
    c.pod_id = kPodId;
    c.name = "nginx";
    c.attempt = 2;
    c.image_ref = "docker.io/library/nginx:1.25";
    c.state = "running";
    c.cgroup_path = "/podagent/podaaa/ctr1";
    c.upper_dir = CgroupFixture("v2");
    c.labels = {{"tier", "front"}};
    c.annotations = {{"note", "x"}};
    ContainerInfo other = c;
    other.id = "ddd2000000000000000000000000000000000000000000000000000000000000";
    other.pod_id = "bbb";
    other.name = "sidecar";
    other.labels = {{"tier", "back"}};
    containers_.containers = {c, other};
    ctx_.pods = &pods_;
    ctx_.containers = &containers_;
    ctx_.config.metrics_listen = "";
    ctx_.config.root_dir = "/var/lib/podagent-test";
  }
  std::unique_ptr<StatsManager> Make(const std::string& tree, bool v2, const std::string& proc_root = "/proc") {
    StatsManager::Options o;
    o.proc_root = proc_root;
    o.layout = v2 ? CgroupLayout::V2(CgroupFixture(tree)) : CgroupLayout::V1(CgroupFixture(tree));
    o.clock = [this] { return now_; };
    return std::make_unique<StatsManager>(ctx_, o);
  }

  AgentContext ctx_;
  FakePods pods_;
  FakeContainers containers_;
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
};

TEST_F(StatsManagerTest, ContainerStatsFromV2Fixture) {
  auto m = Make("v2", true);
  cri::ContainerStatsResponse resp;
  ASSERT_TRUE(m->ContainerStats(MakeReq(kCtrId), &resp).ok());
  const cri::ContainerStats& s = resp.stats();
  EXPECT_EQ(s.attributes().id(), kCtrId);
  EXPECT_EQ(s.attributes().metadata().name(), "nginx");
  EXPECT_EQ(s.attributes().metadata().attempt(), 2u);
  EXPECT_EQ(s.attributes().labels().at("tier"), "front");
  EXPECT_EQ(s.attributes().annotations().at("note"), "x");
  EXPECT_EQ(s.cpu().timestamp(), absl::ToUnixNanos(now_));
  EXPECT_EQ(s.cpu().usage_core_nano_seconds().value(), 1500000000u);
  EXPECT_EQ(s.cpu().usage_nano_cores().value(), 0u);  // first sample
  EXPECT_EQ(s.memory().working_set_bytes().value(), 104857600u - 10485760u);
  EXPECT_EQ(s.memory().usage_bytes().value(), 104857600u);
  EXPECT_EQ(s.memory().available_bytes().value(), 268435456u - (104857600u - 10485760u));
  EXPECT_EQ(s.memory().rss_bytes().value(), 62914560u);
  EXPECT_EQ(s.memory().page_faults().value(), 12345u);
  EXPECT_EQ(s.memory().major_page_faults().value(), 67u);
  EXPECT_EQ(s.swap().swap_usage_bytes().value(), 4096u);
  EXPECT_EQ(s.writable_layer().fs_id().mountpoint(), "/var/lib/podagent-test");
  EXPECT_GT(s.writable_layer().used_bytes().value(), 0u);
  EXPECT_GT(s.writable_layer().inodes_used().value(), 10u);
}

TEST_F(StatsManagerTest, NanoCoresFromTwoSamples) {
  // The counter moves with a scratch copy of the fixture: 0.5 s of CPU over 2 s = 0.25 core.
  testing::TempDir tmp("podagent-stats");
  std::string root = tmp.path();
  std::string dir = root + "/podagent/podaaa/ctr1";
  ASSERT_TRUE(MakeDirs(dir).ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/cpu.stat", "usage_usec 1000000\n").ok());
  StatsManager::Options o;
  o.layout = CgroupLayout::V2(root);
  o.clock = [this] { return now_; };
  StatsManager m(ctx_, o);
  cri::ContainerStatsResponse first, second;
  ASSERT_TRUE(m.ContainerStats(MakeReq("ccc1"), &first).ok());  // unique prefix
  // In place, as the kernel changes a cgroup file (the reader holds the file open between calls).
  ASSERT_TRUE(WriteFile(dir + "/cpu.stat", "usage_usec 1500000\n").ok());
  now_ += absl::Seconds(2);
  ASSERT_TRUE(m.ContainerStats(MakeReq(kCtrId), &second).ok());
  EXPECT_EQ(second.stats().cpu().usage_core_nano_seconds().value(), 1500000000u);
  EXPECT_EQ(second.stats().cpu().usage_nano_cores().value(), 250000000u);
  EXPECT_FALSE(second.stats().memory().has_working_set_bytes());  // no memory controller
}

TEST_F(StatsManagerTest, ContainerStatsErrors) {
  auto m = Make("v1", false);
  cri::ContainerStatsResponse resp;
  EXPECT_EQ(m->ContainerStats(MakeReq(""), &resp).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(m->ContainerStats(MakeReq("fff"), &resp).code(), absl::StatusCode::kNotFound);
  containers_.containers[1].id = "ccc2";
  absl::Status ambiguous = m->ContainerStats(MakeReq("ccc"), &resp);
  EXPECT_EQ(ambiguous.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(ambiguous.message().find("ccc"), std::string::npos);
}

TEST_F(StatsManagerTest, ListContainerStatsHonoursFilters) {
  auto m = Make("v1", false);
  auto list = [&](const std::string& id, const std::string& pod, std::map<std::string, std::string> labels) {
    cri::ListContainerStatsRequest req;
    req.mutable_filter()->set_id(id);
    req.mutable_filter()->set_pod_sandbox_id(pod);
    req.mutable_filter()->mutable_label_selector()->insert(labels.begin(), labels.end());
    cri::ListContainerStatsResponse resp;
    EXPECT_TRUE(m->ListContainerStats(req, &resp).ok());
    std::vector<std::string> ids;
    for (const auto& s : resp.stats()) ids.push_back(s.attributes().metadata().name());
    return ids;
  };
  EXPECT_EQ(list("", "", {}), (std::vector<std::string>{"nginx", "sidecar"}));
  EXPECT_EQ(list("ddd", "", {}), (std::vector<std::string>{"sidecar"}));
  EXPECT_EQ(list("", "aaa", {}), (std::vector<std::string>{"nginx"}));
  EXPECT_EQ(list("", "", {{"tier", "back"}}), (std::vector<std::string>{"sidecar"}));
  EXPECT_EQ(list("", "aaa", {{"tier", "back"}}), (std::vector<std::string>{}));
}

TEST_F(StatsManagerTest, PodSandboxStatsFromV1Fixture) {
  // The pause of tests/fixtures/proc, whose netns has lo, net1 and eth0.
  pods_.pods[0].pause_pid = 4242;
  auto m = Make("v1", false, testing::SourceDir() + "/tests/fixtures/proc");
  cri::PodSandboxStatsRequest req;
  req.set_pod_sandbox_id("aaa");
  cri::PodSandboxStatsResponse resp;
  ASSERT_TRUE(m->PodSandboxStats(req, &resp).ok());
  const cri::PodSandboxStats& s = resp.stats();
  EXPECT_EQ(s.attributes().id(), kPodId);
  EXPECT_EQ(s.attributes().metadata().name(), "web");
  EXPECT_EQ(s.attributes().metadata().namespace_(), "default");
  EXPECT_EQ(s.attributes().metadata().uid(), "uid-1");
  EXPECT_EQ(s.attributes().metadata().attempt(), 1u);
  EXPECT_EQ(s.linux().cpu().usage_core_nano_seconds().value(), 2000000000u);
  EXPECT_EQ(s.linux().memory().usage_bytes().value(), 120000000u);
  EXPECT_FALSE(s.linux().memory().has_available_bytes());  // unlimited
  ASSERT_EQ(s.linux().containers_size(), 1);               // only the pod's own container
  EXPECT_EQ(s.linux().containers(0).attributes().id(), kCtrId);
  EXPECT_EQ(s.linux().containers(0).memory().working_set_bytes().value(), 104857600u - 10485760u);
  // Network (CRI NetworkUsage): kubelet's default interface eth0, every other but lo in
  // `interfaces`, with the counters of the fixture's net/dev.
  EXPECT_EQ(s.linux().network().timestamp(), absl::ToUnixNanos(now_));
  const cri::NetworkInterfaceUsage& eth0 = s.linux().network().default_interface();
  EXPECT_EQ(eth0.name(), "eth0");
  EXPECT_EQ(eth0.rx_bytes().value(), 1398836u);
  EXPECT_EQ(eth0.rx_errors().value(), 1u);
  EXPECT_EQ(eth0.tx_bytes().value(), 110419u);
  EXPECT_EQ(eth0.tx_errors().value(), 3u);
  ASSERT_EQ(s.linux().network().interfaces_size(), 1);
  EXPECT_EQ(s.linux().network().interfaces(0).name(), "net1");
  EXPECT_EQ(s.linux().network().interfaces(0).rx_bytes().value(), 5120u);
  EXPECT_EQ(s.linux().network().interfaces(0).tx_bytes().value(), 2048u);
  req.set_pod_sandbox_id("zzz");
  EXPECT_EQ(m->PodSandboxStats(req, &resp).code(), absl::StatusCode::kNotFound);
  req.set_pod_sandbox_id("");
  EXPECT_EQ(m->PodSandboxStats(req, &resp).code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(StatsManagerTest, ListPodSandboxStatsHonoursFilters) {
  auto m = Make("v1", false);
  cri::ListPodSandboxStatsRequest req;
  cri::ListPodSandboxStatsResponse resp;
  ASSERT_TRUE(m->ListPodSandboxStats(req, &resp).ok());
  ASSERT_EQ(resp.stats_size(), 1);
  EXPECT_EQ(resp.stats(0).linux().process().process_count().value(), 0u);  // pod cgroup has no procs file
  (*req.mutable_filter()->mutable_label_selector())["app"] = "db";
  resp.Clear();
  ASSERT_TRUE(m->ListPodSandboxStats(req, &resp).ok());
  EXPECT_EQ(resp.stats_size(), 0);
  req.mutable_filter()->clear_label_selector();
  req.mutable_filter()->set_id("bbb");
  resp.Clear();
  ASSERT_TRUE(m->ListPodSandboxStats(req, &resp).ok());
  EXPECT_EQ(resp.stats_size(), 0);
}

// From 8 pods the reads are shared by two threads: every pod still comes back once, in the
// order listed, with its own containers and no other pod's.
TEST_F(StatsManagerTest, ListPodSandboxStatsOfManyPodsKeepsEachPodsContainers) {
  const PodInfo pod = pods_.pods[0];
  const ContainerInfo ctr = containers_.containers[0];
  pods_.pods.clear();
  containers_.containers.clear();
  for (int i = 0; i < 20; ++i) {
    PodInfo p = pod;
    p.id = absl::StrCat("pod", 100 + i);
    pods_.pods.push_back(p);
    for (int k = 0; k < i % 3; ++k) {
      ContainerInfo c = ctr;
      c.id = absl::StrCat("ctr", 100 + i, "-", k);
      c.pod_id = p.id;
      containers_.containers.push_back(c);
    }
  }
  auto m = Make("v1", false);
  cri::ListPodSandboxStatsResponse resp;
  ASSERT_TRUE(m->ListPodSandboxStats({}, &resp).ok());
  ASSERT_EQ(resp.stats_size(), 20);
  for (int i = 0; i < 20; ++i) {
    const cri::PodSandboxStats& s = resp.stats(i);
    EXPECT_EQ(s.attributes().id(), absl::StrCat("pod", 100 + i));
    ASSERT_EQ(s.linux().containers_size(), i % 3) << s.attributes().id();
    for (int k = 0; k < i % 3; ++k) {
      EXPECT_EQ(s.linux().containers(k).attributes().id(), absl::StrCat("ctr", 100 + i, "-", k));
      EXPECT_EQ(s.linux().containers(k).memory().working_set_bytes().value(), 104857600u - 10485760u);
    }
  }
}

TEST_F(StatsManagerTest, MetricDescriptorsAndPodSandboxMetricsAgree) {
  auto m = Make("v1", false);
  cri::ListMetricDescriptorsResponse descs;
  ASSERT_TRUE(m->ListMetricDescriptors({}, &descs).ok());
  std::map<std::string, int> keys;
  for (const auto& d : descs.descriptors()) keys[d.name()] = d.label_keys_size();
  EXPECT_EQ(keys.size(), ContainerMetricDefs().size());
  EXPECT_EQ(keys["container_cpu_usage_seconds_total"], 7);      // + cpu
  EXPECT_EQ(keys["container_network_receive_bytes_total"], 7);  // + interface
  EXPECT_EQ(keys["container_memory_working_set_bytes"], 6);

  cri::ListPodSandboxMetricsResponse resp;
  ASSERT_TRUE(m->ListPodSandboxMetrics({}, &resp).ok());
  ASSERT_EQ(resp.pod_metrics_size(), 1);
  const cri::PodSandboxMetrics& pm = resp.pod_metrics(0);
  EXPECT_EQ(pm.pod_sandbox_id(), kPodId);
  ASSERT_EQ(pm.container_metrics_size(), 1);
  const cri::ContainerMetrics& cm = pm.container_metrics(0);
  EXPECT_EQ(cm.container_id(), kCtrId);
  bool saw_ws = false;
  for (const cri::Metric& metric : cm.metrics()) {
    ASSERT_EQ(metric.label_values_size(), keys[metric.name()]) << metric.name();
    if (metric.name() == "container_memory_working_set_bytes") {
      saw_ws = true;
      EXPECT_EQ(metric.metric_type(), cri::MetricType::GAUGE);
      EXPECT_EQ(metric.value().value(), 104857600u - 10485760u);
      EXPECT_EQ(metric.label_values(0), "nginx");  // container
      EXPECT_EQ(metric.label_values(5), "web");    // pod
    }
    if (metric.name() == "container_cpu_usage_seconds_total") {
      EXPECT_EQ(metric.metric_type(), cri::MetricType::COUNTER);
      EXPECT_EQ(metric.value().value(), 2u);  // 1.5 s rounded
      EXPECT_EQ(metric.label_values(6), "total");
    }
  }
  EXPECT_TRUE(saw_ws);
  for (const cri::Metric& metric : pm.metrics()) EXPECT_EQ(metric.label_values(0), "");  // container=""
}

// The endpoint serves the machine families beside the container ones (MachineCollector is
// registered); this machine's logical CPUs as glibc counts them online.
TEST_F(StatsManagerTest, EndpointServesMachineFamilies) {
  ctx_.config.metrics_listen = "127.0.0.1:0";
  auto m = Make("v1", false);
  ASSERT_TRUE(m->Start().ok());
  absl::StatusOr<std::string> text = testing::HttpGet(absl::StrCat("http://127.0.0.1:", m->MetricsPort(), "/metrics"));
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_NE(text->find("# TYPE machine_memory_bytes gauge"), std::string::npos) << *text;
  size_t at = text->find("\nmachine_cpu_cores{");
  ASSERT_NE(at, std::string::npos) << *text;
  size_t value = text->find("} ", at);
  ASSERT_NE(value, std::string::npos);
  EXPECT_EQ(std::stol(text->substr(value + 2)), ::sysconf(_SC_NPROCESSORS_ONLN));
}

TEST_F(StatsManagerTest, NoLookupsYetMeansNoStats) {
  ctx_.pods = nullptr;
  ctx_.containers = nullptr;
  auto m = Make("v1", false);
  cri::ListContainerStatsResponse lc;
  EXPECT_TRUE(m->ListContainerStats({}, &lc).ok());
  EXPECT_EQ(lc.stats_size(), 0);
  cri::PodSandboxStatsRequest req;
  req.set_pod_sandbox_id("aaa");
  cri::PodSandboxStatsResponse ps;
  EXPECT_EQ(m->PodSandboxStats(req, &ps).code(), absl::StatusCode::kNotFound);
}

TEST_F(StatsManagerTest, EndpointServesOnAnEphemeralPortAndCountsRequests) {
  ctx_.config.metrics_listen = "127.0.0.1:0";
  auto m = Make("v1", false);
  ASSERT_TRUE(m->Start().ok());
  EXPECT_GT(m->MetricsPort(), 0);
  m->ObserveRequest("Version", 0, 0.001);
  // A second endpoint on the same port cannot bind: a clear error, not an exception.
  AgentContext other = ctx_;
  other.config.metrics_listen = absl::StrCat("127.0.0.1:", m->MetricsPort());
  StatsManager::Options o;
  o.layout = CgroupLayout::V1(CgroupFixture("v1"));
  StatsManager clash(other, o);
  absl::Status st = clash.Start();
  EXPECT_EQ(st.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(st.message().find(other.config.metrics_listen), std::string::npos) << st;
}

TEST_F(StatsManagerTest, EmptyListenDisablesTheEndpoint) {
  auto m = Make("v1", false);
  ASSERT_TRUE(m->Start().ok());
  EXPECT_EQ(m->MetricsPort(), 0);
}

}  // namespace
}  // namespace podagent
