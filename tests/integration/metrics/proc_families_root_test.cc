// ROOT: container_tasks_state, container_ulimits_soft, container_fs_{limit_bytes,inodes_*} with
// their device, and container_last_seen, read by podagent from a real process in a real cgroup
// and a real filesystem, compared with what the test reads from the kernel itself: the state
// letters of /proc/<pid>/task/*/stat, /proc/<pid>/limits, statfs(2) and stat(2) of the device.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "gtest/gtest.h"
#include "metrics/cgroup_reader.h"
#include "metrics/container_collector.h"
#include "metrics/workload_stats.h"
#include "prometheus/text_serializer.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/ids.h"
#include "runtime/common/unique_fd.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

constexpr rlim_t kOpenFilesSoft = 777;

// A forked child that lowers its soft RLIMIT_NOFILE to kOpenFilesSoft once it is in its cgroup,
// reports back and sleeps. Killed and reaped by the owner.
class SleepingChild {
 public:
  SleepingChild() {
    int go[2], ready[2];
    if (::pipe2(go, O_CLOEXEC) != 0 || ::pipe2(ready, O_CLOEXEC) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      char c;
      if (::read(go[0], &c, 1) != 1) ::_exit(1);
      struct rlimit rl {};
      if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) ::_exit(1);
      rl.rlim_cur = kOpenFilesSoft;
      if (::setrlimit(RLIMIT_NOFILE, &rl) != 0 || ::write(ready[1], "r", 1) != 1) ::_exit(1);
      for (;;) ::pause();
    }
    go_.Reset(go[1]);
    ready_.Reset(ready[0]);
    ::close(go[0]);
    ::close(ready[1]);
  }
  ~SleepingChild() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  bool Go() {
    char c;
    return ::write(go_.Get(), "g", 1) == 1 && ::read(ready_.Get(), &c, 1) == 1;
  }

 private:
  pid_t pid_ = -1;
  UniqueFd go_, ready_;
};

// The test's own count of the state letters of /proc/<pid>/task/*/stat.
void KernelTaskStates(pid_t pid, std::map<char, uint64_t>* out) {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/task", ec);
  ASSERT_FALSE(ec) << "list /proc/" << pid << "/task: " << ec.message();
  out->clear();
  for (const auto& entry : it) {
    std::ifstream in(entry.path() / "stat");
    std::string line;
    ASSERT_TRUE(std::getline(in, line)) << "read " << entry.path() << "/stat";
    size_t close = line.rfind(") ");
    ASSERT_NE(close, std::string::npos) << line;
    ++(*out)[line[close + 2]];
  }
}

// The soft limit of "Max open files" in /proc/<pid>/limits, as the test reads it.
void KernelOpenFilesSoft(pid_t pid, std::string* out) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  ASSERT_TRUE(in) << "open /proc/" << pid << "/limits";
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Max open files", 0) != 0) continue;
    std::istringstream fields(line.substr(14));
    ASSERT_TRUE(fields >> *out) << line;
    return;
  }
  FAIL() << "no Max open files in /proc/" << pid << "/limits";
}

// Waits (bounded) until /proc/<pid>/stat shows `state`.
bool WaitForState(pid_t pid, char state) {
  for (int i = 0; i < 200; ++i) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(in, line);
    size_t close = line.rfind(") ");
    if (close != std::string::npos && line[close + 2] == state) return true;
    ::usleep(10000);
  }
  return false;
}

class RootProcFamilies : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "ROOT test: run as root";
    auto d = CgroupDriver::Detect("/sys/fs/cgroup");
    ASSERT_TRUE(d.ok()) << d.status();
    driver_ = std::move(*d);
    pod_ = "/podagent-pftest-" + NewId().substr(0, 12);
    ctr_ = pod_ + "/ctr";
    ASSERT_TRUE(driver_->Create(ctr_).ok());
    layout_ = driver_->IsV2() ? CgroupLayout::V2(driver_->MountRoot()) : CgroupLayout::V1(driver_->MountRoot());
  }
  void TearDown() override {
    child_.reset();
    if (driver_) {
      EXPECT_TRUE(driver_->Destroy(pod_).ok());
    }
  }
  ContainerSnapshot Container(const std::string& upper_dir) const {
    ContainerSnapshot c;
    c.id = "c";
    c.pod_id = "p";
    c.name = "app";
    c.image = "img";
    c.cgroup_path = ctr_;
    c.upper_dir = upper_dir;
    c.pid = child_ ? child_->pid() : 0;
    return c;
  }
  void StartChild() {
    child_ = std::make_unique<SleepingChild>();
    ASSERT_GT(child_->pid(), 0);
    ASSERT_TRUE(driver_->AddProcess(ctr_, child_->pid()).ok());
    ASSERT_TRUE(child_->Go());
    // It answers just before pause(): until it sleeps there the kernel may still show it running.
    std::map<char, uint64_t> k;
    for (int i = 0; i < 200; ++i) {
      ASSERT_NO_FATAL_FAILURE(KernelTaskStates(child_->pid(), &k));
      if (k['S'] == 1) return;
      ::usleep(10 * 1000);
    }
    FAIL() << "the child did not reach pause() within 2 s";
  }
  // podagent's task states must equal the test's count, state by state.
  void ExpectStatesEqualTheKernel(const TaskStates& got) {
    std::map<char, uint64_t> k;
    ASSERT_NO_FATAL_FAILURE(KernelTaskStates(child_->pid(), &k));
    EXPECT_EQ(got.running, k['R']);
    EXPECT_EQ(got.sleeping, k['S']);
    EXPECT_EQ(got.uninterruptible, k['D']);
    EXPECT_EQ(got.stopped, k['T'] + k['t']);
  }

  std::unique_ptr<CgroupDriver> driver_;
  std::unique_ptr<SleepingChild> child_;
  std::string pod_, ctr_;
  CgroupLayout layout_ = CgroupLayout::V2("/nonexistent");
};

// A process the test stops with SIGSTOP is counted "stopped", and "sleeping" again after SIGCONT;
// its soft open-files limit is the one /proc/<pid>/limits shows.
TEST_F(RootProcFamilies, TaskStatesAndOpenFilesLimitOfAStoppedProcess) {
  ASSERT_NO_FATAL_FAILURE(StartChild());
  WorkloadStatsReader reader(layout_, nullptr);
  ASSERT_EQ(::kill(child_->pid(), SIGSTOP), 0);
  ASSERT_TRUE(WaitForState(child_->pid(), 'T'));
  ContainerReading stopped = reader.ReadContainer(Container(""), absl::Now(), ReadDepth::kMetrics);
  ASSERT_TRUE(stopped.stats.pids.tasks) << "no cgroup.procs in " << ProcsDir(layout_, ctr_);
  EXPECT_GE(stopped.stats.pids.tasks->stopped, 1u);
  ASSERT_NO_FATAL_FAILURE(ExpectStatesEqualTheKernel(*stopped.stats.pids.tasks));

  ASSERT_EQ(::kill(child_->pid(), SIGCONT), 0);
  ASSERT_TRUE(WaitForState(child_->pid(), 'S'));
  ContainerReading running = reader.ReadContainer(Container(""), absl::Now(), ReadDepth::kMetrics);
  ASSERT_TRUE(running.stats.pids.tasks);
  EXPECT_EQ(running.stats.pids.tasks->stopped, 0u);
  EXPECT_GE(running.stats.pids.tasks->sleeping, 1u);
  ASSERT_NO_FATAL_FAILURE(ExpectStatesEqualTheKernel(*running.stats.pids.tasks));

  std::string soft;
  ASSERT_NO_FATAL_FAILURE(KernelOpenFilesSoft(child_->pid(), &soft));
  EXPECT_EQ(soft, std::to_string(kOpenFilesSoft));
  EXPECT_EQ(running.max_open_files_soft, int64_t{kOpenFilesSoft});
}

// The writable layer's filesystem: statfs(2) and the device, on this machine's disk (/tmp) and on
// a filesystem without a block device (tmpfs, /dev/shm), where the device is the mount's source.
TEST_F(RootProcFamilies, FilesystemFamiliesEqualStatfsAndTheDevice) {
  for (const char* base : {"/tmp", "/dev/shm"}) {
    SCOPED_TRACE(base);
    ::setenv("TMPDIR", base, 1);
    testing::TempDir upper("podagent-pf-upper");
    ::unsetenv("TMPDIR");
    WorkloadStatsReader reader(layout_, nullptr);
    struct statfs before {
    }, after{};
    ASSERT_EQ(::statfs(upper.path().c_str(), &before), 0);
    ContainerReading r = reader.ReadContainer(Container(upper.path()), absl::Now(), ReadDepth::kMetrics);
    ASSERT_EQ(::statfs(upper.path().c_str(), &after), 0);
    ASSERT_TRUE(r.filesystem) << upper.path();
    EXPECT_EQ(r.filesystem->limit_bytes, uint64_t(before.f_blocks) * uint64_t(before.f_bsize));
    EXPECT_EQ(r.filesystem->inodes_total, uint64_t(before.f_files));
    EXPECT_GE(r.filesystem->inodes_free, std::min<uint64_t>(before.f_ffree, after.f_ffree));
    EXPECT_LE(r.filesystem->inodes_free, std::max<uint64_t>(before.f_ffree, after.f_ffree));
    struct stat dir {};
    ASSERT_EQ(::stat(upper.path().c_str(), &dir), 0);
    if (major(dir.st_dev) != 0) {
      // A block device: the named node is the device the filesystem lives on.
      struct stat dev {};
      ASSERT_EQ(::stat(r.filesystem->device.c_str(), &dev), 0) << "device \"" << r.filesystem->device << "\"";
      EXPECT_TRUE(S_ISBLK(dev.st_mode));
      EXPECT_EQ(dev.st_rdev, dir.st_dev);
    } else {
      EXPECT_EQ(r.filesystem->device, "tmpfs");  // the source of every tmpfs mount here
    }
  }
}

// The same through the collector, as Prometheus sees them.
TEST_F(RootProcFamilies, CollectorShowsTheFamilies) {
  ASSERT_NO_FATAL_FAILURE(StartChild());
  testing::TempDir upper("podagent-pf-upper");
  struct Source : WorkloadSource {
    std::vector<PodSnapshot> Pods() const override { return {pod}; }
    std::vector<ContainerSnapshot> Containers() const override { return {ctr}; }
    PodSnapshot pod;
    ContainerSnapshot ctr;
  } source;
  source.pod.id = "p";
  source.pod.cgroup_path = pod_;
  source.ctr = Container(upper.path());
  WorkloadStatsReader reader(layout_, nullptr);
  ContainerCollector collector(source, reader, [] { return absl::FromUnixSeconds(1700000123); });
  std::string text = prometheus::TextSerializer().Serialize(collector.Collect());
  struct statfs fs {};
  ASSERT_EQ(::statfs(upper.path().c_str(), &fs), 0);
  std::string l = "{container=\"app\",id=\"" + ctr_ + "\",image=\"img\",name=\"c\",namespace=\"\",pod=\"\"";
  EXPECT_NE(text.find("container_ulimits_soft" + l + ",ulimit=\"max_open_files\"} 777\n"), std::string::npos) << text;
  EXPECT_NE(text.find("container_tasks_state" + l + ",state=\"sleeping\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("container_tasks_state" + l + ",state=\"stopped\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("container_last_seen" + l + "} 1700000123\n"), std::string::npos);
  EXPECT_NE(text.find("container_fs_limit_bytes" + l + ",device=\"/dev/"), std::string::npos);
  EXPECT_NE(text.find("container_fs_inodes_total" + l + ",device=\"/dev/"), std::string::npos);
  EXPECT_NE(text.find("container_fs_usage_bytes" + l + ",device=\"/dev/"), std::string::npos);
}

}  // namespace
}  // namespace podagent
