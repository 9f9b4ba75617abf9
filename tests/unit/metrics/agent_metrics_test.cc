#include "metrics/agent_metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "prometheus/text_serializer.h"
#include "runtime/common/files.h"
#include "tests/unit/metrics/fake_workload.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

std::string Scrape(const prometheus::Collectable& c) { return prometheus::TextSerializer().Serialize(c.Collect()); }

TEST(AgentMetrics, RequestsPullsAndBuildInfo) {
  AgentMetrics m({"0.1.0", "abc123"});
  m.ObserveCriRequest("RunPodSandbox", 0, 0.2);
  m.ObserveCriRequest("RunPodSandbox", 0, 0.02);
  m.ObserveCriRequest("ContainerStatus", 5, 0.001);
  m.ObserveImagePull(true, 1000);
  m.ObserveImagePull(false, 24);
  std::string text = Scrape(*m.Registry());
  EXPECT_NE(text.find("podagent_cri_requests_total{code=\"OK\",method=\"RunPodSandbox\"} 2"), std::string::npos)
      << text;
  EXPECT_NE(text.find("podagent_cri_requests_total{code=\"NotFound\",method=\"ContainerStatus\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("podagent_cri_request_duration_seconds_count{method=\"RunPodSandbox\"} 2"), std::string::npos);
  EXPECT_NE(text.find("podagent_cri_request_duration_seconds_bucket{method=\"RunPodSandbox\",le=\"0.025\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("podagent_image_pulls_total{result=\"success\"} 1"), std::string::npos);
  EXPECT_NE(text.find("podagent_image_pulls_total{result=\"failure\"} 1"), std::string::npos);
  EXPECT_NE(text.find("podagent_image_pull_bytes_total 1024"), std::string::npos);
  EXPECT_NE(text.find("podagent_build_info{git_commit=\"abc123\",version=\"0.1.0\"} 1"), std::string::npos);
  EXPECT_EQ(text.find("_total_total"), std::string::npos);
}

TEST(AgentMetrics, GrpcCodeNames) {
  EXPECT_EQ(GrpcCodeName(0), "OK");
  EXPECT_EQ(GrpcCodeName(9), "FailedPrecondition");
  EXPECT_EQ(GrpcCodeName(16), "Unauthenticated");
  EXPECT_EQ(GrpcCodeName(99), "Unknown");
}

class FakeProc : public ::testing::Test {
 protected:
  testing::TempDir scratch_{"podagent-proc"};
  void SetUp() override {
    root_ = scratch_.path();
  }
  void Process(int pid, int ppid, const std::string& comm) {
    std::string dir = root_ + "/" + std::to_string(pid);
    ASSERT_TRUE(MakeDirs(dir).ok());
    ASSERT_TRUE(WriteFileAtomic(dir + "/comm", comm + "\n").ok());
    ASSERT_TRUE(WriteFileAtomic(dir + "/stat", std::to_string(pid) + " (" + comm + ") S " + std::to_string(ppid) +
                                                   " 1 1 0 -1\n")
                    .ok());
  }
  std::string root_;
};

TEST_F(FakeProc, CountsLivePauseAndShimProcesses) {
  Process(10, 1, "podagent-pause");
  Process(20, 1, "podagent-shim");
  Process(21, 20, "sleep) S 99 (x");  // a comm with ") " in it must not confuse the parser
  Process(22, 20, "sh");              // second container of the same shim counts once
  Process(30, 1, "bash");
  Process(31, 30, "sleep");           // parent is not a shim
  testing::FakeWorkload w;
  w.pods.resize(3);
  w.pods[0].pause_pid = 10;
  w.pods[1].pause_pid = 11;  // gone
  w.pods[0].state = w.pods[1].state = "ready";
  w.pods[2].state = "notready";
  w.containers.resize(4);
  w.containers[0].pid = 21;
  w.containers[1].pid = 22;
  w.containers[2].pid = 31;
  w.containers[3].pid = 0;
  for (auto& c : w.containers) c.state = "running";
  w.containers[3].state = "exited";
  ProcessCounts counts = CountProcesses(w.pods, w.containers, root_);
  EXPECT_EQ(counts.pause, 1u);
  EXPECT_EQ(counts.shim, 1u);

  std::string text = Scrape(WorkloadStateCollector(w, root_));
  EXPECT_NE(text.find("podagent_pods{state=\"ready\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("podagent_pods{state=\"notready\"} 1"), std::string::npos);
  EXPECT_NE(text.find("podagent_containers{state=\"running\"} 3"), std::string::npos);
  EXPECT_NE(text.find("podagent_containers{state=\"exited\"} 1"), std::string::npos);
  EXPECT_NE(text.find("podagent_containers{state=\"created\"} 0"), std::string::npos);
  EXPECT_NE(text.find("podagent_pause_processes 1"), std::string::npos);
  EXPECT_NE(text.find("podagent_shim_processes 1"), std::string::npos);
}

// The counts are kept while the pids and states stay the same and `recount_after` has not
// passed; a changed pid or state, or the time, counts again from /proc.
TEST_F(FakeProc, ProcessCountsKeptUntilTheWorkloadChangesOrTheTimeIsUp) {
  Process(10, 1, "podagent-pause");
  Process(20, 1, "podagent-shim");
  Process(21, 20, "sleep");
  Process(40, 1, "podagent-shim");
  Process(41, 40, "sleep");
  testing::FakeWorkload w;
  w.pods.resize(1);
  w.pods[0].pause_pid = 10;
  w.pods[0].state = "ready";
  w.containers.resize(1);
  w.containers[0].pid = 21;
  w.containers[0].state = "running";
  absl::Time now = absl::FromUnixSeconds(1000);
  WorkloadStateCollector collector(w, root_, absl::Seconds(10), [&] { return now; });
  EXPECT_NE(Scrape(collector).find("podagent_shim_processes 1"), std::string::npos);
  ASSERT_TRUE(RemoveTree(root_ + "/20").ok());  // the shim dies, its record does not change
  now += absl::Seconds(9);
  EXPECT_NE(Scrape(collector).find("podagent_shim_processes 1"), std::string::npos) << "recounted before its time";
  now += absl::Seconds(1);
  EXPECT_NE(Scrape(collector).find("podagent_shim_processes 0"), std::string::npos) << "not recounted after 10 s";
  w.containers[0].pid = 41;  // a new container process: counted at once
  EXPECT_NE(Scrape(collector).find("podagent_shim_processes 1"), std::string::npos);
  ASSERT_TRUE(RemoveTree(root_ + "/10").ok());
  w.pods[0].state = "notready";
  std::string text = Scrape(collector);
  EXPECT_NE(text.find("podagent_pause_processes 0"), std::string::npos) << text;
}

}  // namespace
}  // namespace podagent
