// ROOT: the metrics readers on the real cgroups of this machine (v1 here; v2 in the hack/vm
// guest). Cgroups are made and removed through the real CgroupDriver; a child process burns CPU
// and touches memory in them.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <sstream>
#include <csignal>
#include <cstring>
#include <thread>

#include "gtest/gtest.h"
#include "metrics/blkio.h"
#include "metrics/cgroup_cri_reader.h"
#include "metrics/cgroup_reader.h"
#include "metrics/open_stat_files.h"
#include "metrics/proc_fds.h"
#include "prometheus/text_serializer.h"
#include "metrics/container_collector.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "runtime/common/unique_fd.h"
#include "tests/lib/host_cgroup_test.h"

namespace podagent {
namespace {

constexpr size_t kTouchBytes = 48 << 20;

// The kernel's own figure, read by the test and not by podagent's parsers: the single number of
// a cgroup file ("max" is UINT64_MAX), or the value of `key` in a "key value" file. A file that
// cannot be read fails the test.
void KernelNumber(const std::string& text, const std::string& what, uint64_t* out) {
  ASSERT_FALSE(text.empty()) << what << " is empty";
  if (text.rfind("max", 0) == 0) {
    *out = UINT64_MAX;
    return;
  }
  size_t end = 0;
  *out = std::stoull(text, &end);
  ASSERT_GT(end, 0u) << what << ": " << text;
}

void ReadKernelUint(const std::string& path, uint64_t* out) {
  absl::StatusOr<std::string> text = ReadFile(path);
  ASSERT_TRUE(text.ok()) << path << ": " << text.status();
  KernelNumber(*text, path, out);
}

void ReadKernelKey(const std::string& path, const std::string& key, uint64_t* out) {
  absl::StatusOr<std::string> text = ReadFile(path);
  ASSERT_TRUE(text.ok()) << path << ": " << text.status();
  size_t at = ("\n" + *text).find("\n" + key + " ");
  ASSERT_NE(at, std::string::npos) << "no " << key << " in " << path;
  KernelNumber(text->substr(at + key.size() + 1), path + " " + key, out);
}

// True when `v` is within the two reads of the kernel file taken around it (a gauge may move).
bool Between(const std::optional<uint64_t>& v, uint64_t before, uint64_t after) {
  return v && *v >= std::min(before, after) && *v <= std::max(before, after);
}

// Writes 2 * `bytes` to a memfd (page cache of this cgroup) and maps and reads the first half,
// so the cgroup's mapped-file figure is at least `bytes` and below its cache.
void MapFile(size_t bytes) {
  int fd = ::memfd_create("metrics-root-test", MFD_CLOEXEC);
  if (fd < 0) ::_exit(1);
  std::string page(4096, 'x');
  for (size_t off = 0; off < 2 * bytes; off += page.size()) {
    if (::pwrite(fd, page.data(), page.size(), static_cast<off_t>(off)) != ssize_t(page.size())) ::_exit(1);
  }
  void* map = ::mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) ::_exit(1);
  volatile char sum = 0;
  for (size_t i = 0; i < bytes; i += 4096) sum = sum + static_cast<const char*>(map)[i];
}

// A forked child that waits for a byte on a pipe (so it is in its cgroup before it allocates),
// touches `bytes` of memory (and maps `mapped` bytes of a file, see MapFile), reports back, then
// spins on the CPU. Killed and reaped by the owner.
class Child {
 public:
  explicit Child(size_t bytes, size_t mapped = 0) {
    int go[2], ready[2];
    if (::pipe2(go, O_CLOEXEC) != 0 || ::pipe2(ready, O_CLOEXEC) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      char c;
      if (::read(go[0], &c, 1) != 1) ::_exit(1);
      char* mem = static_cast<char*>(::malloc(bytes));
      for (size_t i = 0; i < bytes; i += 4096) mem[i] = 1;
      if (mapped > 0) MapFile(mapped);
      if (::write(ready[1], "r", 1) != 1) ::_exit(1);
      volatile uint64_t n = 0;
      for (;;) n = n + 1;
    }
    go_.Reset(go[1]);
    ready_.Reset(ready[0]);
    ::close(go[0]);
    ::close(ready[1]);
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      Reap();
    }
  }
  pid_t pid() const { return pid_; }
  // Lets the child allocate; true when it reported back (false: it died, e.g. OOM-killed).
  bool Go() {
    if (::write(go_.Get(), "g", 1) != 1) return false;
    char c;
    return ::read(ready_.Get(), &c, 1) == 1;
  }
  // Waits for the child; returns the signal that ended it (0 for a normal exit).
  int Reap() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  UniqueFd go_, ready_;
};

class RootMetrics : public testing::HostCgroupTest {
 protected:
  RootMetrics() : HostCgroupTest("podagent-mtest") {}
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(HostCgroupTest::SetUp());
    pod_ = top_;
    ctr_ = pod_ + "/ctr";
    ASSERT_TRUE(driver_->Create(ctr_).ok());
    layout_ = driver_->IsV2() ? CgroupLayout::V2(driver_->MountRoot()) : CgroupLayout::V1(driver_->MountRoot());
  }
  std::string pod_, ctr_;
  CgroupLayout layout_ = CgroupLayout::V2("/nonexistent");
};

TEST_F(RootMetrics, LayoutAgreesWithTheDriver) {
  for (const char* c : {"cpu", "cpuacct", "memory", "pids"}) {
    EXPECT_EQ(layout_.Dir(ctr_, c), driver_->Dir(ctr_, c)) << c;
  }
}

TEST_F(RootMetrics, ReadsARunningProcess) {
  CgroupResources res;
  res.memory_limit = 256 << 20;
  res.cpu_quota = 10000;
  res.cpu_period = 100000;
  res.cpu_shares = 512;
  ASSERT_TRUE(driver_->Apply(ctr_, res).ok());
  Child child(kTouchBytes);
  ASSERT_GT(child.pid(), 0);
  auto joined = std::chrono::steady_clock::now();
  ASSERT_TRUE(driver_->AddProcess(ctr_, child.pid()).ok());
  ASSERT_TRUE(child.Go());
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // let it spin (quota: 0.1 core)

  CgroupStats s = ReadCgroupStats(layout_, ctr_);
  auto in_cgroup_ns = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - joined).count());
  ASSERT_TRUE(s.cpu.usage_ns);
  EXPECT_GT(*s.cpu.usage_ns, 10'000'000u);   // >= 10 ms of CPU in 0.6 s at 0.1 core
  // The quota holds the child to 0.1 core over all its time in the cgroup, touching its memory
  // included (Go waits for that: seconds under the software-emulated v2 guest, where 710 ms of
  // CPU in ~7 s once failed a fixed 600 ms bound). Twice the quota is the slack.
  EXPECT_LT(*s.cpu.usage_ns, in_cgroup_ns / 5) << "in the cgroup for " << in_cgroup_ns << " ns";
  EXPECT_TRUE(s.cpu.user_ns);
  EXPECT_TRUE(s.cpu.system_ns);
  EXPECT_GT(s.cpu.nr_periods.value_or(0), 0u);
  EXPECT_GT(s.cpu.nr_throttled.value_or(0), 0u);  // a spinning loop at 0.1 core is throttled
  EXPECT_GT(s.cpu.throttled_ns.value_or(0), 0u);
  // v2 stores cpu.weight; shares read back through the Kubernetes mapping lose a little (512 -> 500).
  EXPECT_NEAR(static_cast<double>(s.cpu.shares.value_or(0)), 512.0, 16.0);
  EXPECT_EQ(s.cpu.quota_us, 10000);
  EXPECT_EQ(s.cpu.period_us, 100000u);
  ASSERT_TRUE(s.memory.usage);
  EXPECT_GE(*s.memory.usage, kTouchBytes);
  EXPECT_GE(s.memory.WorkingSet().value_or(0), kTouchBytes);
  EXPECT_GE(s.memory.rss.value_or(0), kTouchBytes);
  EXPECT_GE(s.memory.max_usage.value_or(0), *s.memory.usage);
  EXPECT_EQ(s.memory.limit, uint64_t{256} << 20);
  // One fault per 4 KiB page on v1; with transparent huge pages (the v2 guest) one per 2 MiB.
  EXPECT_GE(s.memory.pgfault.value_or(0), kTouchBytes / (2u << 20));
  EXPECT_EQ(s.memory.oom_kills, 0u);
  EXPECT_EQ(s.pids.current, 1u);
  EXPECT_EQ(s.pids.processes, 1u);
  EXPECT_EQ(s.pids.threads, 1u);

  // The pod cgroup sees its child hierarchically.
  CgroupStats pod = ReadCgroupStats(layout_, pod_);
  EXPECT_GE(pod.cpu.usage_ns.value_or(0), *s.cpu.usage_ns);
  EXPECT_GE(pod.memory.usage.value_or(0), kTouchBytes);
  EXPECT_EQ(pod.pids.processes, 1u);  // counted in the child cgroup

  // Two reads 300 ms apart: CPU keeps moving.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CgroupStats later = ReadCgroupStats(layout_, ctr_);
  EXPECT_GT(*later.cpu.usage_ns, *s.cpu.usage_ns);
}

// Each memory figure added for cAdvisor parity equals what the test reads from the kernel's file.
TEST_F(RootMetrics, MemoryFiguresEqualTheKernelFiles) {
  CgroupResources res;
  res.memory_limit = 256 << 20;
  res.memory_swap_limit = 512 << 20;
  ASSERT_TRUE(driver_->Apply(ctr_, res).ok());
  const bool v2 = driver_->IsV2();
  const std::string dir = driver_->Dir(ctr_, "memory");
  const std::string reservation_file = dir + (v2 ? "/memory.min" : "/memory.soft_limit_in_bytes");
  ASSERT_TRUE(WriteFile(reservation_file, std::to_string(64 << 20)).ok());
  constexpr size_t kMapped = 8 << 20;
  Child child(kTouchBytes, kMapped);
  ASSERT_GT(child.pid(), 0);
  ASSERT_TRUE(driver_->AddProcess(ctr_, child.pid()).ok());
  ASSERT_TRUE(child.Go());

  const std::string stat = dir + "/memory.stat";
  const std::string mapped_key = v2 ? "file_mapped" : "total_mapped_file";
  const std::string kernel_file = v2 ? stat : dir + "/memory.kmem.usage_in_bytes";
  auto read_kernel = [&](uint64_t* out) {
    if (v2) return ReadKernelKey(stat, "kernel", out);
    ReadKernelUint(kernel_file, out);
  };
  uint64_t mapped_before = 0, mapped_after = 0, kernel_before = 0, kernel_after = 0;
  ASSERT_NO_FATAL_FAILURE(ReadKernelKey(stat, mapped_key, &mapped_before));
  ASSERT_NO_FATAL_FAILURE(read_kernel(&kernel_before));
  CgroupStats s = ReadCgroupStats(layout_, ctr_);
  ASSERT_NO_FATAL_FAILURE(ReadKernelKey(stat, mapped_key, &mapped_after));
  ASSERT_NO_FATAL_FAILURE(read_kernel(&kernel_after));
  EXPECT_TRUE(Between(s.memory.mapped_file, mapped_before, mapped_after))
      << mapped_key << " " << mapped_before << ".." << mapped_after << ", read " << s.memory.mapped_file.value_or(0);
  EXPECT_TRUE(Between(s.memory.kernel, kernel_before, kernel_after))
      << kernel_file << " " << kernel_before << ".." << kernel_after << ", read " << s.memory.kernel.value_or(0);
  EXPECT_GE(s.memory.mapped_file.value_or(0), kMapped);  // the child's mapped memfd
  EXPECT_GT(s.memory.kernel.value_or(0), 0u);  // a process has at least its kernel stack charged

  uint64_t reservation = 0, swap_limit = 0;
  ASSERT_NO_FATAL_FAILURE(ReadKernelUint(reservation_file, &reservation));
  ASSERT_NO_FATAL_FAILURE(ReadKernelUint(dir + (v2 ? "/memory.swap.max" : "/memory.memsw.limit_in_bytes"), &swap_limit));
  EXPECT_EQ(reservation, uint64_t{64} << 20);
  EXPECT_EQ(s.memory.reservation, reservation);
  EXPECT_EQ(s.memory.swap_limit, swap_limit);
  EXPECT_EQ(swap_limit, v2 ? uint64_t{256} << 20 : uint64_t{512} << 20);  // v2: swap alone; v1: memory+swap
}

// The CRI reader's held files (metrics/open_stat_files.h) on a real cgroup: each read shows the
// kernel's value of the moment, a held file does not keep its cgroup from being removed, and a
// cgroup made again at the same path is read, not the removed one.
TEST_F(RootMetrics, HeldStatFilesFollowTheKernel) {
  const std::string dir = driver_->Dir(ctr_, "memory");
  const std::string limit_file = dir + (driver_->IsV2() ? "/memory.max" : "/memory.limit_in_bytes");
  OpenStatFiles held(64);
  absl::Time now = absl::Now();
  auto read = [&] { return ReadCgroupCriStats(layout_, ctr_, nullptr, false, &held, now); };
  for (uint64_t limit : {uint64_t{256} << 20, uint64_t{128} << 20}) {
    CgroupResources res;
    res.memory_limit = limit;
    ASSERT_TRUE(driver_->Apply(ctr_, res).ok());
    uint64_t kernel = 0;
    ASSERT_NO_FATAL_FAILURE(ReadKernelUint(limit_file, &kernel));
    ASSERT_EQ(kernel, limit);
    CgroupStats s = read();
    EXPECT_EQ(s.memory.limit, kernel);
    EXPECT_TRUE(s.cpu.usage_ns);
  }
  const size_t per_cgroup = held.Size();
  ASSERT_GE(per_cgroup, 4u) << "cpu usage, memory usage, limit and stat are held";

  ASSERT_TRUE(driver_->Destroy(ctr_).ok()) << "held files kept the cgroup";
  ASSERT_FALSE(driver_->Exists(ctr_));
  CgroupStats gone = read();
  EXPECT_FALSE(gone.cpu.usage_ns);
  EXPECT_FALSE(gone.memory.limit);
  EXPECT_EQ(held.Size(), 0u) << "the removed cgroup's files are still held";

  ASSERT_TRUE(driver_->Create(ctr_).ok());
  CgroupResources res;
  res.memory_limit = uint64_t{64} << 20;
  ASSERT_TRUE(driver_->Apply(ctr_, res).ok());
  EXPECT_EQ(read().memory.limit, uint64_t{64} << 20);
  EXPECT_EQ(held.Size(), per_cgroup);
}

// The test's own count of /proc/<pid>/fd: entries, and those whose link reads "socket:[...]".
void CountFdsOf(pid_t pid, uint64_t* fds, uint64_t* sockets) {
  std::error_code ec;
  std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec);
  ASSERT_FALSE(ec) << "list /proc/" << pid << "/fd: " << ec.message();
  *fds = *sockets = 0;
  for (const auto& entry : it) {
    std::filesystem::path target = std::filesystem::read_symlink(entry.path(), ec);
    ASSERT_FALSE(ec) << "readlink " << entry.path() << ": " << ec.message();
    ++*fds;
    if (target.string().rfind("socket:[", 0) == 0) ++*sockets;
  }
}

// container_threads_max, container_file_descriptors and container_sockets of a real process:
// pids.max and /proc/<pid>/fd as the test reads them itself.
TEST_F(RootMetrics, ThreadsMaxFdsAndSocketsEqualTheKernel) {
  CgroupResources res;
  res.pids_limit = 64;
  ASSERT_TRUE(driver_->Apply(ctr_, res).ok());
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  UniqueFd a(pair[0]), b(pair[1]);
  Child child(1 << 20);  // inherits the pair: two sockets besides the test's other fds
  ASSERT_GT(child.pid(), 0);
  ASSERT_TRUE(driver_->AddProcess(ctr_, child.pid()).ok());
  ASSERT_TRUE(child.Go());

  uint64_t pids_max = 0, fds = 0, sockets = 0;
  ASSERT_NO_FATAL_FAILURE(ReadKernelUint(driver_->Dir(ctr_, "pids") + "/pids.max", &pids_max));
  ASSERT_NO_FATAL_FAILURE(CountFdsOf(child.pid(), &fds, &sockets));
  EXPECT_EQ(pids_max, 64u);
  EXPECT_GE(sockets, 2u);
  EXPECT_EQ(ReadCgroupStats(layout_, ctr_).pids.limit, pids_max);
  std::optional<FdCounts> counted = ReadCgroupFdCounts(ProcsDir(layout_, ctr_));
  ASSERT_TRUE(counted) << "no cgroup.procs in " << ProcsDir(layout_, ctr_);
  EXPECT_EQ(counted->fds, fds);
  EXPECT_EQ(counted->sockets, sockets);

  // And through the collector, as Prometheus sees them.
  struct Source : WorkloadSource {
    std::vector<PodSnapshot> Pods() const override { return {pod}; }
    std::vector<ContainerSnapshot> Containers() const override { return {ctr}; }
    PodSnapshot pod;
    ContainerSnapshot ctr;
  } source;
  source.pod.id = source.ctr.pod_id = "p";
  source.pod.cgroup_path = pod_;
  source.ctr.id = "c";
  source.ctr.cgroup_path = ctr_;
  WorkloadStatsReader reader(layout_, nullptr);
  std::string text = prometheus::TextSerializer().Serialize(ContainerCollector(source, reader).Collect());
  std::string labels = "{container=\"\",id=\"" + ctr_ + "\",image=\"\",name=\"c\",namespace=\"\",pod=\"\"} ";
  EXPECT_NE(text.find("container_threads_max" + labels + std::to_string(pids_max) + "\n"), std::string::npos) << text;
  EXPECT_NE(text.find("container_file_descriptors" + labels + std::to_string(fds) + "\n"), std::string::npos);
  EXPECT_NE(text.find("container_sockets" + labels + std::to_string(sockets) + "\n"), std::string::npos);
}

// A forked child that joins `cgroup` through `add`, then writes and reads back `bytes` with
// O_DIRECT on `path` (straight to the block layer, charged to its cgroup). Returns its exit code.
int DirectIoChild(const std::string& path, size_t bytes, const std::function<bool(pid_t)>& add) {
  int go[2];
  if (::pipe2(go, O_CLOEXEC) != 0) return -1;
  pid_t pid = ::fork();
  if (pid == 0) {
    char c;
    if (::read(go[0], &c, 1) != 1) ::_exit(1);
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_DIRECT | O_CLOEXEC, 0600);
    void* buf = nullptr;
    if (fd < 0 || ::posix_memalign(&buf, 4096, bytes) != 0) ::_exit(2);
    std::memset(buf, 'x', bytes);
    if (::pwrite(fd, buf, bytes, 0) != ssize_t(bytes) || ::fsync(fd) != 0) ::_exit(3);
    if (::pread(fd, buf, bytes, 0) != ssize_t(bytes)) ::_exit(4);
    ::_exit(0);
  }
  ::close(go[0]);
  bool added = pid > 0 && add(pid);
  if (::write(go[1], "g", 1) != 1) added = false;
  ::close(go[1]);
  int status = 0;
  if (pid > 0) ::waitpid(pid, &status, 0);
  if (!added) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The test's own parse of the kernel's per-device figures for `major:minor`: v1
// blkio.throttle.io_service_bytes_recursive ("M:m Read N") or v2 io.stat ("M:m rbytes=N ...").
void KernelDeviceBytes(const std::string& file, bool v2, const std::string& dev, uint64_t* read, uint64_t* write) {
  absl::StatusOr<std::string> text = ReadFile(file);
  ASSERT_TRUE(text.ok()) << file << ": " << text.status();
  *read = *write = 0;
  bool seen = false;
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(dev + " ", 0) != 0) continue;
    seen = true;
    std::istringstream words(line.substr(dev.size() + 1));
    for (std::string w; words >> w;) {
      if (v2 && w.rfind("rbytes=", 0) == 0) *read = std::stoull(w.substr(7));
      if (v2 && w.rfind("wbytes=", 0) == 0) *write = std::stoull(w.substr(7));
      if (!v2 && w == "Read" && words >> w) *read = std::stoull(w);
      if (!v2 && w == "Write" && words >> w) *write = std::stoull(w);
    }
  }
  ASSERT_TRUE(seen) << "no " << dev << " in " << file << ":\n" << *text;
}

// Disk IO of a real process: O_DIRECT IO on the filesystem of /var/tmp, figures for its device
// from the kernel file the test reads itself, and the device's name from sysfs's own link.
TEST_F(RootMetrics, DiskIoEqualsTheKernelFiles) {
  const std::string path = "/var/tmp/podagent-mtest-" + NewId().substr(0, 12);
  struct stat st {};
  ASSERT_EQ(::stat("/var/tmp", &st), 0);
  if (::major(st.st_dev) == 0) GTEST_SKIP() << "/var/tmp is not on a block device";
  const std::string dev = std::to_string(::major(st.st_dev)) + ":" + std::to_string(::minor(st.st_dev));
  constexpr size_t kBytes = 1 << 20;
  const bool v2 = driver_->IsV2();
  if (!v2) {
    // Recent kernels (6.18 here) account v1 blkio.throttle.* only on a queue with a throttle
    // rule; a limit far above the device's speed turns the accounting on without slowing it.
    ASSERT_TRUE(WriteFile(driver_->Dir(ctr_, "blkio") + "/blkio.throttle.write_bps_device", dev + " 100000000000").ok());
  }
  int rc = DirectIoChild(path, kBytes, [&](pid_t pid) { return driver_->AddProcess(ctr_, pid).ok(); });
  ::unlink(path.c_str());
  ASSERT_EQ(rc, 0) << "direct IO child";

  const std::string file = v2 ? driver_->Dir(ctr_, "io") + "/io.stat"
                              : driver_->Dir(ctr_, "blkio") + "/blkio.throttle.io_service_bytes_recursive";
  uint64_t kernel_read = 0, kernel_write = 0;
  ASSERT_NO_FATAL_FAILURE(KernelDeviceBytes(file, v2, dev, &kernel_read, &kernel_write));
  EXPECT_GE(kernel_write, kBytes);
  EXPECT_GE(kernel_read, kBytes);
  CgroupStats s = ReadCgroupStats(layout_, ctr_);
  const DeviceIo* io = nullptr;
  for (const DeviceIo& d : s.io) {
    if (std::to_string(d.major) + ":" + std::to_string(d.minor) == dev) io = &d;
  }
  ASSERT_NE(io, nullptr) << "no " << dev << " read from " << file;
  EXPECT_EQ(io->bytes.at("Read"), kernel_read);
  EXPECT_EQ(io->bytes.at("Write"), kernel_write);
  EXPECT_GE(io->ios.at("Write"), 1u);
  std::error_code ec;
  std::filesystem::path sys = std::filesystem::canonical("/sys/dev/block/" + dev, ec);
  ASSERT_FALSE(ec) << "/sys/dev/block/" << dev << ": " << ec.message();
  EXPECT_EQ(BlockDeviceName(io->major, io->minor), "/dev/" + sys.filename().string());
}

TEST_F(RootMetrics, CountsAnOomKill) {
  CgroupResources res;
  res.memory_limit = 16 << 20;
  ASSERT_TRUE(driver_->Apply(ctr_, res).ok());
  Child child(kTouchBytes);  // 48 MiB under a 16 MiB limit, no swap on these machines
  ASSERT_GT(child.pid(), 0);
  ASSERT_TRUE(driver_->AddProcess(ctr_, child.pid()).ok());
  EXPECT_FALSE(child.Go());
  EXPECT_EQ(child.Reap(), SIGKILL);
  CgroupStats s = ReadCgroupStats(layout_, ctr_);
  EXPECT_EQ(s.memory.oom_kills, 1u);
  EXPECT_GT(s.memory.failcnt.value_or(0), 0u);
  EXPECT_EQ(s.memory.limit, uint64_t{16} << 20);
  EXPECT_EQ(s.pids.processes, 0u);
}

TEST_F(RootMetrics, CollectorShowsTheRealCgroup) {
  struct Source : WorkloadSource {
    std::vector<PodSnapshot> pods;
    std::vector<ContainerSnapshot> containers;
    std::vector<PodSnapshot> Pods() const override { return pods; }
    std::vector<ContainerSnapshot> Containers() const override { return containers; }
  } source;
  PodSnapshot pod;
  pod.id = "p";
  pod.name = "pod1";
  pod.namespace_ = "ns1";
  pod.cgroup_path = pod_;
  source.pods = {pod};
  ContainerSnapshot c;
  c.id = "c";
  c.pod_id = "p";
  c.name = "app";
  c.image = "img";
  c.cgroup_path = ctr_;
  source.containers = {c};
  Child child(4 << 20);
  ASSERT_TRUE(driver_->AddProcess(ctr_, child.pid()).ok());
  ASSERT_TRUE(child.Go());
  WorkloadStatsReader reader(layout_, nullptr);
  ContainerCollector collector(source, reader);
  std::string text = prometheus::TextSerializer().Serialize(collector.Collect());
  std::string labels = "container=\"app\",id=\"" + ctr_ + "\",image=\"img\",name=\"c\",namespace=\"ns1\",pod=\"pod1\"";
  EXPECT_NE(text.find("container_memory_working_set_bytes{" + labels + "} "), std::string::npos) << text;
  EXPECT_NE(text.find("container_processes{" + labels + "} 1\n"), std::string::npos);
  EXPECT_NE(text.find("container_cpu_usage_seconds_total{" + labels + ",cpu=\"total\"} "), std::string::npos);
}

}  // namespace
}  // namespace podagent
