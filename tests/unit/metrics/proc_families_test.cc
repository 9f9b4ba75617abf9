// The families added beside fds/sockets: container_tasks_state (metrics/proc_tasks.h),
// container_ulimits_soft (metrics/ulimits.h), container_fs_{limit_bytes,inodes_*} with their
// device (metrics/fs_stats.h, metrics/device_names.h) and container_last_seen; and what the CRI
// stats calls no longer pay for (ReadDepth::kCri).
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "metrics/container_collector.h"
#include "metrics/device_names.h"
#include "metrics/fs_stats.h"
#include "metrics/proc_tasks.h"
#include "metrics/ulimits.h"
#include "prometheus/text_serializer.h"
#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"
#include "tests/unit/metrics/fake_workload.h"
#include "tests/unit/metrics/fixture.h"

namespace podagent {
namespace {

// A /proc/<pid>/limits as the kernel writes it (6.x).
const char kLimits[] =
    "Limit                     Soft Limit           Hard Limit           Units     \n"
    "Max cpu time              unlimited            unlimited            seconds   \n"
    "Max processes             63448                63448                processes \n"
    "Max open files            1024                 524288               files     \n"
    "Max locked memory         8388608              8388608              bytes     \n";

class ProcTree : public ::testing::Test {
 protected:
  void Write(const std::string& rel, const std::string& text) {
    std::string path = root_.path() + "/" + rel;
    ASSERT_TRUE(MakeDirs(path.substr(0, path.rfind('/'))).ok());
    ASSERT_TRUE(WriteFileAtomic(path, text).ok()) << path;
  }
  void Task(int pid, int tid, const std::string& comm, char state) {
    Write(std::to_string(pid) + "/task/" + std::to_string(tid) + "/stat",
          std::to_string(tid) + " (" + comm + ") " + state + " 1 1 1 0 -1 4194560 93 0 0 0\n");
  }
  testing::TempDir root_{"podagent-procfam"};
};

TEST(TaskState, StateLetterFollowsTheLastParenthesis) {
  EXPECT_EQ(ParseStatState("42 (sh) S 1 42"), 'S');
  EXPECT_EQ(ParseStatState("42 (a) b) R) D 1 42"), 'D');  // a comm with ") " inside
  EXPECT_EQ(ParseStatState("42 (sh)"), std::nullopt);
  EXPECT_EQ(ParseStatState("42 sh S"), std::nullopt);
  EXPECT_EQ(ParseStatState(""), std::nullopt);
}

TEST_F(ProcTree, CountsEveryTaskOfEveryProcessByState) {
  Task(100, 100, "main", 'S');
  Task(100, 101, "worker R)", 'R');
  Task(100, 102, "io", 'D');
  Task(200, 200, "stopped", 'T');
  Task(200, 201, "traced", 't');
  Task(300, 300, "zombie", 'Z');  // not one of cAdvisor's states
  Task(300, 301, "idle", 'I');
  // 999 is gone and "x" is not a pid: skipped.
  TaskStates t = CountTaskStates("100\n200\n300\n999\nx\n", root_.path());
  EXPECT_EQ(t.sleeping, 1u);
  EXPECT_EQ(t.running, 1u);
  EXPECT_EQ(t.uninterruptible, 1u);
  EXPECT_EQ(t.stopped, 2u);
  EXPECT_EQ(t.iowaiting, 0u);
  EXPECT_EQ(ReadCgroupTaskStates(root_.path() + "/nonexistent", root_.path()), std::nullopt);
}

TEST_F(ProcTree, TaskDirectoryThatIsASymlinkIsNotFollowed) {
  Task(7, 7, "real", 'R');
  ASSERT_TRUE(MakeDirs(root_.path() + "/8").ok());
  ASSERT_EQ(::symlink((root_.path() + "/7/task").c_str(), (root_.path() + "/8/task").c_str()), 0);
  EXPECT_EQ(CountTaskStates("8\n", root_.path()).running, 0u);
}

TEST(Ulimits, MaxOpenFilesSoftAsCadvisorParsesIt) {
  EXPECT_EQ(ParseMaxOpenFilesSoft(kLimits), 1024);
  EXPECT_EQ(ParseMaxOpenFilesSoft("Max open files            unlimited            unlimited            files\n"), -1);
  EXPECT_EQ(ParseMaxOpenFilesSoft("Max cpu time              unlimited            unlimited            seconds\n"),
            std::nullopt);
  EXPECT_EQ(ParseMaxOpenFilesSoft("Max open files            12x                  20                   files\n"),
            std::nullopt);
  EXPECT_EQ(ParseMaxOpenFilesSoft("Max open files            12\n"), std::nullopt);
  EXPECT_EQ(ReadMaxOpenFilesSoft(0), std::nullopt);
}

TEST_F(ProcTree, ReadsLimitsOfThePidAndThisProcessAsTheKernelHasIt) {
  Write("55/limits", kLimits);
  EXPECT_EQ(ReadMaxOpenFilesSoft(55, root_.path()), 1024);
  EXPECT_EQ(ReadMaxOpenFilesSoft(56, root_.path()), std::nullopt);
  struct rlimit rl {};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &rl), 0);
  int64_t want = rl.rlim_cur == RLIM_INFINITY ? -1 : int64_t(rl.rlim_cur);
  EXPECT_EQ(ReadMaxOpenFilesSoft(::getpid()), want);
}

TEST(DeviceNames, MountSourceOfMatchesMajorMinor) {
  const char mountinfo[] =
      "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro\n"
      "25 22 0:21 / /tmp rw,nosuid shared:5 master:2 - tmpfs tmpfs rw,size=1024k\n"
      "bad line\n";
  EXPECT_EQ(MountSourceOf(mountinfo, 254, 1), "/dev/vda1");
  EXPECT_EQ(MountSourceOf(mountinfo, 0, 21), "tmpfs");  // two optional fields before "-"
  EXPECT_EQ(MountSourceOf(mountinfo, 0, 22), "");
}

TEST_F(ProcTree, DeviceNamesAreReadOnceAndTheCacheIsBounded) {
  Write("sys/dev/block/8:0/uevent", "MAJOR=8\nMINOR=0\nDEVNAME=sda\nDEVTYPE=disk\n");
  Write("sys/dev/block/8:16/uevent", "DEVNAME=sdb\n");
  Write("proc/self/mountinfo", "25 22 0:21 / /tmp rw shared:5 - tmpfs tmpfs rw\n");
  DeviceNames names(root_.path() + "/sys", root_.path() + "/proc", /*max_entries=*/3);
  EXPECT_EQ(names.Block(8, 0), "/dev/sda");
  EXPECT_EQ(names.Filesystem(8, 0), "/dev/sda");
  EXPECT_EQ(names.Filesystem(0, 21), "tmpfs");  // no block device: the mount's source
  EXPECT_EQ(names.Block(0, 21), "");            // not a block device for the IO families
  ASSERT_TRUE(RemoveTree(root_.path() + "/sys").ok());
  ASSERT_TRUE(RemoveTree(root_.path() + "/proc").ok());
  EXPECT_EQ(names.Block(8, 0), "/dev/sda");  // from the cache: /sys is not read again
  EXPECT_EQ(names.Filesystem(0, 21), "tmpfs");
  Write("sys/dev/block/8:16/uevent", "DEVNAME=sdb\n");
  EXPECT_EQ(names.Block(8, 16), "/dev/sdb");  // the cache is full: resolved, not kept
  ASSERT_TRUE(RemoveTree(root_.path() + "/sys").ok());
  EXPECT_EQ(names.Block(8, 16), "");
}

TEST_F(ProcTree, FsStatsAreTheStatfsOfTheDirectoryAndFollowNoSymlink) {
  DeviceNames names;
  std::optional<FsStats> fs = ReadFsStats(root_.path(), names);
  ASSERT_TRUE(fs);
  struct statfs want {};
  ASSERT_EQ(::statfs(root_.path().c_str(), &want), 0);
  EXPECT_EQ(fs->limit_bytes, uint64_t(want.f_blocks) * uint64_t(want.f_bsize));
  EXPECT_EQ(fs->inodes_total, uint64_t(want.f_files));
  ASSERT_EQ(::symlink(root_.path().c_str(), (root_.path() + "/link").c_str()), 0);
  EXPECT_EQ(ReadFsStats(root_.path() + "/link", names), std::nullopt);
  EXPECT_EQ(ReadFsStats(root_.path() + "/nonexistent", names), std::nullopt);
}

// The families as a scrape shows them, from a reading with every new field set.
TEST(ProcFamilies, SeriesCarryCadvisorNamesAndLabels) {
  PodReading pod;
  pod.pod = testing::FixturePod();
  pod.cgroup_found = true;
  pod.timestamp_ns = 1700000100'900000000;
  ContainerReading c;
  c.container = testing::FixtureContainer();
  c.cgroup_found = true;
  c.timestamp_ns = pod.timestamp_ns;
  c.stats.pids.tasks = TaskStates{2, 3, 4, 5, 0};
  c.max_open_files_soft = 1024;
  c.has_writable_layer = true;
  c.writable_layer.bytes = 4096;
  c.filesystem = FsStats{"/dev/vda1", 254, 1, 1000000, 500, 400};
  pod.containers = {c};
  std::string text = prometheus::TextSerializer().Serialize(ToFamilies(WorkloadSamples({pod})));
  std::string l =
      "container=\"nginx\",id=\"/podagent/podaaa/ctr1\",image=\"docker.io/library/nginx:1.25\",name=\"ctr1\","
      "namespace=\"default\",pod=\"web\"";
  std::string p = "container=\"\",id=\"/podagent/podaaa\",image=\"\",name=\"\",namespace=\"default\",pod=\"web\"";
  for (const std::string& want : {
           "container_tasks_state{" + l + ",state=\"running\"} 2",
           "container_tasks_state{" + l + ",state=\"sleeping\"} 3",
           "container_tasks_state{" + l + ",state=\"stopped\"} 4",
           "container_tasks_state{" + l + ",state=\"uninterruptible\"} 5",
           "container_tasks_state{" + l + ",state=\"iowaiting\"} 0",
           "container_ulimits_soft{" + l + ",ulimit=\"max_open_files\"} 1024",
           "container_fs_limit_bytes{" + l + ",device=\"/dev/vda1\"} 1000000",
           "container_fs_inodes_total{" + l + ",device=\"/dev/vda1\"} 500",
           "container_fs_inodes_free{" + l + ",device=\"/dev/vda1\"} 400",
           "container_fs_usage_bytes{" + l + ",device=\"/dev/vda1\"} 4096",
           "container_last_seen{" + l + "} 1700000100",
           "container_last_seen{" + p + "} 1700000100",
       }) {
    EXPECT_NE(text.find("\n" + want + "\n"), std::string::npos) << want << "\n" << text;
  }
  EXPECT_NE(text.find("# TYPE container_tasks_state gauge"), std::string::npos);
  EXPECT_NE(text.find("# TYPE container_last_seen gauge"), std::string::npos);
}

// The CRI stats calls read the cgroup files only; the /proc walks and statfs are the collector's.
TEST(ReadDepth, CriReadsNoProcessDetails) {
  WorkloadStatsReader reader(CgroupLayout::V1(testing::CgroupFixture("v1")), nullptr, "/proc", "/nonexistent");
  ContainerSnapshot c = testing::FixtureContainer();
  c.pid = ::getpid();
  c.upper_dir = testing::CgroupFixture("v1");
  ContainerReading cri = reader.ReadContainer(c, absl::Now(), ReadDepth::kCri);
  ASSERT_TRUE(cri.cgroup_found);
  EXPECT_FALSE(cri.stats.pids.fds);
  EXPECT_FALSE(cri.stats.pids.tasks);
  EXPECT_FALSE(cri.max_open_files_soft);
  EXPECT_FALSE(cri.filesystem);
  ContainerReading full = reader.ReadContainer(c, absl::Now(), ReadDepth::kMetrics);
  EXPECT_TRUE(full.stats.pids.fds);  // the fixture's cgroup.procs lists pids 101 and 102
  EXPECT_TRUE(full.stats.pids.tasks);
  EXPECT_TRUE(full.max_open_files_soft);
  EXPECT_TRUE(full.filesystem);
}

}  // namespace
}  // namespace podagent
