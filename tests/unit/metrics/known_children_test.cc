// A pod's recursive process and thread counts take the counts of its containers' cgroups, read
// in the same pass, instead of reading those subtrees again (KnownChildren, metrics/cgroup_reader.h),
// and still equal a plain walk of the tree.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "metrics/cgroup_reader.h"
#include "metrics/workload_stats.h"
#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

// A pod cgroup with v2 file names: its own 1 process (1 thread), "ctr" 2 (3) with "ctr/nested"
// 1 (2) below it, "pause" 1 (1). A plain walk counts 5 processes and 7 threads.
class KnownChildrenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Cgroup("pod", "10\n", "10\n");
    Cgroup("pod/ctr", "11\n12\n", "11\n12\n13\n");
    Cgroup("pod/ctr/nested", "14\n", "14\n15\n");
    Cgroup("pod/pause", "16\n", "16\n");
  }
  void Cgroup(const std::string& rel, const std::string& procs, const std::string& threads) {
    std::filesystem::create_directories(t_ / rel);
    ASSERT_TRUE(WriteFileAtomic(t_ / rel + "/cgroup.procs", procs).ok());
    ASSERT_TRUE(WriteFileAtomic(t_ / rel + "/cgroup.threads", threads).ok());
  }
  CgroupProcessCounts Count(const KnownChildren* known) {
    return CountCgroupProcesses(CgroupDir(t_ / "pod"), "cgroup.threads", known);
  }

  testing::TempDir t_{"podagent-known-children"};
};

TEST_F(KnownChildrenTest, WithoutKnownCountsEveryChildIsRead) {
  CgroupProcessCounts c = Count(nullptr);
  EXPECT_EQ(c.processes, 5u);
  EXPECT_EQ(c.threads, 7u);
  EXPECT_EQ(CountProcsRecursive(CgroupDir(t_ / "pod"), nullptr), 5u);
}

TEST_F(KnownChildrenTest, AKnownChildAddsItsCountsInsteadOfReadingItsSubtree) {
  // Counts unlike the files' show that neither ctr nor ctr/nested was read.
  KnownChildren known{{"ctr", ChildCounts{100, 200}}};
  CgroupProcessCounts c = Count(&known);
  EXPECT_EQ(c.processes, 1u + 100u + 1u);
  EXPECT_EQ(c.threads, 1u + 200u + 1u);
  EXPECT_EQ(c.own_procs, "10\n");
  EXPECT_EQ(CountProcsRecursive(CgroupDir(t_ / "pod"), &known), 102u);
}

TEST_F(KnownChildrenTest, OnlyDirectChildrenWithEveryNeededCountAreTaken) {
  KnownChildren grandchild{{"nested", ChildCounts{100, 200}}};  // below ctr, not a child of pod
  EXPECT_EQ(Count(&grandchild).processes, 5u);
  EXPECT_EQ(Count(&grandchild).threads, 7u);
  KnownChildren no_threads{{"ctr", ChildCounts{100, std::nullopt}}};
  EXPECT_EQ(Count(&no_threads).processes, 5u);  // read, not half taken
  EXPECT_EQ(Count(&no_threads).threads, 7u);
  EXPECT_EQ(CountProcsRecursive(CgroupDir(t_ / "pod"), &no_threads), 102u);  // processes are enough here
}

// Through WorkloadStatsReader::ReadPod (containers first, then the pod with their counts): the
// pod's figures equal a plain walk, at both depths.
TEST_F(KnownChildrenTest, ReadPodCountsEqualAPlainWalk) {
  std::filesystem::create_directories(t_ / "proc");
  WorkloadStatsReader reader(CgroupLayout::V2(t_.path()), nullptr, t_ / "proc", t_ / "sys");
  PodSnapshot pod;
  pod.id = "p";
  pod.cgroup_path = "/pod";
  pod.host_network = true;
  ContainerSnapshot ctr;
  ctr.id = "c";
  ctr.pod_id = "p";
  ctr.cgroup_path = "/pod/ctr";
  for (ReadDepth depth : {ReadDepth::kCri, ReadDepth::kMetrics}) {
    PodReading r = reader.ReadPod(pod, {ctr}, absl::Now(), depth);
    EXPECT_EQ(r.stats.pids.processes, 5u);
    ASSERT_EQ(r.containers.size(), 1u);
    EXPECT_EQ(r.containers[0].stats.pids.processes, 3u);
    if (depth == ReadDepth::kMetrics) {
      EXPECT_EQ(r.stats.pids.threads, 7u);
      EXPECT_EQ(r.containers[0].stats.pids.threads, 5u);
    }
  }
}

}  // namespace
}  // namespace podagent
