// ROOT: the cgroup driver on the machine's real hierarchy, whichever version it is. Each test
// branches on the detected version and asserts that version's files, so the same suite passes
// on the v1 hosts and inside the cgroup v2 guest of hack/vm/run.sh.
// With PODAGENT_TEST_CGROUP_DRIVER=systemd (the systemd guest, hack/vm/systemd-ci-guest.sh) the
// same checks run through SystemdCgroupDriver: top_ is then a transient delegated scope in a
// slice of the test's own (Leaf()), limits go through unit properties, and the files checked are
// the scope's; TearDown fails the test if the scope, the slice or their cgroups are left.
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/cgroups/systemd_driver.h"
#include "runtime/cgroups/systemd_names.h"
#include "runtime/cgroups/systemd_units.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "runtime/common/unique_fd.h"
#include "tests/lib/cgroup_driver_e2e.h"
#include "tests/lib/host_cgroup_test.h"

namespace podagent {
namespace {

constexpr char kRoot[] = "/sys/fs/cgroup";

std::string Read(const std::string& path) {
  auto s = ReadFile(path);
  if (!s.ok()) {
    ADD_FAILURE() << "read " << path << ": " << s.status();  // an unreadable file is a failure, never a value
    return "<unreadable>";
  }
  std::string v = *s;
  while (!v.empty() && (v.back() == '\n' || v.back() == ' ')) v.pop_back();
  return v;
}

// Value of `key` in a flat-keyed file ("key value" per line: memory.stat, memory.events, ...).
std::optional<int64_t> KeyedValue(const std::string& path, const std::string& key) {
  for (absl::string_view line : absl::StrSplit(Read(path), '\n')) {
    std::vector<absl::string_view> kv = absl::StrSplit(line, ' ');
    int64_t v = 0;
    if (kv.size() == 2 && kv[0] == key && absl::SimpleAtoi(kv[1], &v)) return v;
  }
  return std::nullopt;
}

std::vector<std::string> Words(const std::string& s) { return absl::StrSplit(s, ' ', absl::SkipEmpty()); }

bool Has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

bool MountIsCgroup2() {
  struct statfs fs;
  return ::statfs(kRoot, &fs) == 0 && static_cast<unsigned long>(fs.f_type) == CGROUP2_SUPER_MAGIC;
}

// A child that waits until its write end is closed, then runs `body` and exits with its result.
class GatedChild {
 public:
  template <typename F>
  explicit GatedChild(F body) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(fds[1]);
      char c;
      while (::read(fds[0], &c, 1) < 0 && errno == EINTR) {
      }
      ::_exit(body());
    }
    ::close(fds[0]);
    gate_ = UniqueFd(fds[1]);
  }
  ~GatedChild() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
  }
  pid_t pid() const { return pid_; }
  void Release() { gate_ = UniqueFd(); }
  int Wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    return status;
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  UniqueFd gate_;
};

// Touches `mib` MiB one page at a time; returns 0 if it got through it all.
int Allocate(int mib) {
  for (int i = 0; i < mib; ++i) {
    void* p = ::mmap(nullptr, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 2;
    std::memset(p, 0x5a, 1 << 20);
  }
  return 0;
}

class ROOT_CgroupOnDetectedVersion : public testing::HostCgroupTest {
 protected:
  ROOT_CgroupOnDetectedVersion() : HostCgroupTest("podagent-vtest") {}
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(HostCgroupTest::SetUp());
    if (testing::SystemdDriverUnderTest()) {
      ASSERT_NO_FATAL_FAILURE(UseSystemdDriver());
    }
    v2_ = driver_->IsV2();
  }
  void TearDown() override {
    HostCgroupTest::TearDown();
    if (!slice_.empty()) StopSlice();
  }
  std::string Dir(const std::string& path, const std::string& controller) const {
    return driver_->Dir(path, controller);
  }
  // The cgroup a test's nested create makes, and the parents that must delegate the controllers
  // to it: cgroupfs top_/pod/ctr; systemd the scope top_ in the test's slice.
  std::string Leaf() const { return slice_.empty() ? top_ + "/pod/ctr" : top_; }
  std::vector<std::string> LeafParents() const {
    return slice_.empty() ? std::vector<std::string>{top_, top_ + "/pod"} : std::vector<std::string>{slice_};
  }
  // Processes a fresh top_ holds: the systemd driver's scope keeps its holder until ReleaseHold.
  std::string HeldPids() const { return slice_.empty() ? "0" : "1"; }

  bool v2_ = false;
  std::string slice_;  // the test's slice under the systemd driver, "" under cgroupfs

 private:
  // top_ becomes "/<slice>/podagent-<top's id>.scope" (a dash in a slice's name nests it: one
  // flat slice name), created by the tests as before.
  void UseSystemdDriver() {
    auto d = SystemdCgroupDriver::Connect();
    ASSERT_TRUE(d.ok()) << d.status();
    driver_ = std::move(*d);
    std::string id = top_.substr(top_.rfind('-') + 1);
    slice_ = "/podagentvtest" + id + ".slice";
    top_ = slice_ + "/podagent-" + id + ".scope";
    absl::Status st = driver_->Create(slice_);
    ASSERT_TRUE(st.ok()) << st;
  }
  void StopSlice() {
    std::string slice = systemd::UnitOfPath(slice_);
    EXPECT_EQ(testing::PodagentUnitsUnder(slice_), "") << "units left in " << slice_;
    auto units = systemd::SystemdUnits::Connect();
    ASSERT_TRUE(units.ok()) << units.status();
    absl::Status st = (*units)->Stop(slice);
    EXPECT_TRUE(st.ok()) << st;
    EXPECT_EQ(testing::ListedUnits(slice), "") << slice << " still loaded";
    EXPECT_FALSE(driver_->Exists(slice_)) << slice_ << " left behind";
  }
};

TEST_F(ROOT_CgroupOnDetectedVersion, DetectedVersionMatchesTheMountAndTheExpectation) {
  EXPECT_EQ(v2_, MountIsCgroup2()) << "Detect() disagrees with the statfs magic of " << kRoot;
  const char* expect = std::getenv("PODAGENT_EXPECT_CGROUP");
  if (expect != nullptr && *expect != '\0') {
    EXPECT_EQ(std::string(expect), v2_ ? "v2" : "v1")
        << "PODAGENT_EXPECT_CGROUP=" << expect << " but " << kRoot << " is cgroup " << (v2_ ? "v2" : "v1");
  }
  std::vector<std::string> controllers = driver_->Controllers();
  for (const char* c : {"cpu", "memory", "pids", "cpuset"}) EXPECT_TRUE(Has(controllers, c)) << c;
  if (v2_) {
    EXPECT_TRUE(Has(controllers, "io")) << "v2 guest: io controller";
    EXPECT_EQ(Words(Read(absl::StrCat(kRoot, "/cgroup.controllers"))), controllers);
  } else {
    EXPECT_TRUE(Has(controllers, "blkio")) << "v1: blkio hierarchy";
  }
}

TEST_F(ROOT_CgroupOnDetectedVersion, NestedCreateDelegatesControllersAndJoinShowsInProcCgroup) {
  std::string leaf = Leaf();
  absl::Status st = driver_->Create(leaf);
  ASSERT_TRUE(st.ok()) << st;
  if (v2_) {
    for (const std::string& parent : LeafParents()) {
      std::vector<std::string> enabled = Words(Read(absl::StrCat(kRoot, parent, "/cgroup.subtree_control")));
      for (const char* c : {"cpu", "memory", "pids", "io", "cpuset"}) EXPECT_TRUE(Has(enabled, c)) << parent << ": " << c;
    }
    for (const char* f : {"memory.max", "cpu.weight", "cpu.max", "pids.max", "io.max", "cpuset.cpus"}) {
      EXPECT_TRUE(PathExists(Dir(leaf, "") + "/" + f)) << f;
    }
  } else {
    for (const char* c : {"memory", "cpu", "pids", "cpuset"}) EXPECT_TRUE(PathExists(Dir(leaf, c))) << c;
    EXPECT_TRUE(PathExists(Dir(leaf, "memory") + "/memory.limit_in_bytes"));
    EXPECT_TRUE(PathExists(Dir(leaf, "cpu") + "/cpu.shares"));
  }

  GatedChild child([] {
    for (;;) ::pause();
    return 0;
  });
  ASSERT_GT(child.pid(), 0);
  st = driver_->AddProcess(leaf, child.pid());
  ASSERT_TRUE(st.ok()) << st;
  driver_->ReleaseHold(leaf);  // as the daemon does once the real process is in
  std::string self = Read(absl::StrCat("/proc/", child.pid(), "/cgroup"));
  if (v2_) {
    EXPECT_EQ(self, "0::" + leaf);
  } else {
    EXPECT_TRUE(absl::StrContains(self, ":memory:" + leaf)) << self;
  }
  auto pids = driver_->Pids(top_);
  ASSERT_TRUE(pids.ok()) << pids.status();
  EXPECT_EQ(*pids, std::vector<pid_t>{child.pid()});
  st = driver_->Destroy(top_);
  ASSERT_TRUE(st.ok()) << st;
  int status = child.Wait();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
}

TEST_F(ROOT_CgroupOnDetectedVersion, ApplyWritesTheVersionsFiles) {
  ASSERT_TRUE(driver_->Create(top_).ok());
  CgroupResources r;
  r.cpu_shares = 512;
  r.cpu_quota = 50000;
  r.cpu_period = 100000;
  r.memory_limit = 64 << 20;
  r.pids_limit = 64;
  r.memory_oom_group = true;
  absl::Status st = driver_->Apply(top_, r);
  ASSERT_TRUE(st.ok()) << st;
  if (v2_) {
    std::string d = Dir(top_, "");
    EXPECT_EQ(Read(d + "/cpu.weight"), "20") << "1 + ((512 - 2) * 9999) / 262142";
    EXPECT_EQ(Read(d + "/cpu.max"), "50000 100000");
    EXPECT_EQ(Read(d + "/memory.max"), std::to_string(64 << 20));
    EXPECT_EQ(Read(d + "/pids.max"), "64");
    EXPECT_EQ(Read(d + "/memory.oom.group"), "1");
  } else {
    EXPECT_EQ(Read(Dir(top_, "cpu") + "/cpu.shares"), "512");
    EXPECT_EQ(Read(Dir(top_, "cpu") + "/cpu.cfs_quota_us"), "50000");
    EXPECT_EQ(Read(Dir(top_, "cpu") + "/cpu.cfs_period_us"), "100000");
    EXPECT_EQ(Read(Dir(top_, "memory") + "/memory.limit_in_bytes"), std::to_string(64 << 20));
    EXPECT_EQ(Read(Dir(top_, "pids") + "/pids.max"), "64");
  }

  CgroupResources unlimited;  // back to no limits
  unlimited.cpu_quota = -1;
  unlimited.memory_limit = 0;
  unlimited.pids_limit = 0;
  st = driver_->Apply(top_, unlimited);
  ASSERT_TRUE(st.ok()) << st;
  if (v2_) {
    EXPECT_EQ(Read(Dir(top_, "") + "/cpu.max"), "max 100000");
    EXPECT_EQ(Read(Dir(top_, "") + "/memory.max"), "max");
    EXPECT_EQ(Read(Dir(top_, "") + "/pids.max"), "max");
  } else {
    EXPECT_EQ(Read(Dir(top_, "cpu") + "/cpu.cfs_quota_us"), "-1");
    EXPECT_EQ(Read(Dir(top_, "memory") + "/memory.limit_in_bytes"), "9223372036854771712");
    EXPECT_EQ(Read(Dir(top_, "pids") + "/pids.max"), "max");
  }
}

TEST_F(ROOT_CgroupOnDetectedVersion, CpuSharesMapToTheVersionsFileAtTheBounds) {
  ASSERT_TRUE(driver_->Create(top_).ok());
  // Kubernetes/runc: weight = 1 + ((shares - 2) * 9999) / 262142.
  for (auto [shares, weight] : {std::pair<int64_t, const char*>{2, "1"}, {1024, "39"}, {262144, "10000"}}) {
    CgroupResources r;
    r.cpu_shares = shares;
    absl::Status st = driver_->Apply(top_, r);
    ASSERT_TRUE(st.ok()) << st;
    if (v2_) {
      EXPECT_EQ(Read(Dir(top_, "") + "/cpu.weight"), weight) << "shares " << shares;
    } else {
      EXPECT_EQ(Read(Dir(top_, "cpu") + "/cpu.shares"), std::to_string(shares));
    }
  }
}

TEST_F(ROOT_CgroupOnDetectedVersion, UnifiedMapIsAppliedOnV2AndRefusedOnV1) {
  ASSERT_TRUE(driver_->Create(top_).ok());
  CgroupResources r;
  r.unified["memory.high"] = std::to_string(48 << 20);
  absl::Status st = driver_->Apply(top_, r);
  if (v2_) {
    ASSERT_TRUE(st.ok()) << st;
    EXPECT_EQ(Read(Dir(top_, "") + "/memory.high"), std::to_string(48 << 20));
  } else {
    EXPECT_FALSE(st.ok()) << "a v2-only setting on a v1 node must be an error, not ignored";
  }
}

TEST_F(ROOT_CgroupOnDetectedVersion, StatAndEventFilesOfTheVersionAreReadable) {
  ASSERT_TRUE(driver_->Create(top_).ok());
  if (v2_) {
    std::string d = Dir(top_, "");
    for (const char* key : {"anon", "file", "kernel_stack", "pgfault"}) {
      EXPECT_TRUE(KeyedValue(d + "/memory.stat", key).has_value()) << "memory.stat " << key;
    }
    for (const char* key : {"usage_usec", "user_usec", "system_usec", "nr_periods", "nr_throttled", "throttled_usec"}) {
      EXPECT_TRUE(KeyedValue(d + "/cpu.stat", key).has_value()) << "cpu.stat " << key;
    }
    for (const char* key : {"low", "high", "max", "oom", "oom_kill"}) {
      EXPECT_TRUE(KeyedValue(d + "/memory.events", key).has_value()) << "memory.events " << key;
    }
    int64_t current = -1;
    EXPECT_TRUE(absl::SimpleAtoi(Read(d + "/memory.current"), &current)) << Read(d + "/memory.current");
    EXPECT_EQ(Read(d + "/pids.current"), HeldPids());
    for (const char* f : {"cpu.pressure", "memory.pressure", "io.pressure"}) {
      std::string psi = Read(d + "/" + f);
      EXPECT_TRUE(absl::StartsWith(psi, "some avg10=")) << f << ": " << psi;
      EXPECT_TRUE(absl::StrContains(psi, "total=")) << f << ": " << psi;
    }
  } else {
    std::string mem = Dir(top_, "memory");
    for (const char* key : {"rss", "cache", "total_rss", "pgfault"}) {
      EXPECT_TRUE(KeyedValue(mem + "/memory.stat", key).has_value()) << "memory.stat " << key;
    }
    EXPECT_TRUE(KeyedValue(mem + "/memory.oom_control", "oom_kill").has_value()) << Read(mem + "/memory.oom_control");
    EXPECT_EQ(Read(mem + "/memory.usage_in_bytes"), "0");
    for (const char* key : {"nr_periods", "nr_throttled", "throttled_time"}) {
      EXPECT_TRUE(KeyedValue(Dir(top_, "cpu") + "/cpu.stat", key).has_value()) << "cpu.stat " << key;
    }
    EXPECT_EQ(Read(Dir(top_, "cpuacct") + "/cpuacct.usage"), "0");
    EXPECT_EQ(Read(Dir(top_, "pids") + "/pids.current"), "0");
  }
}

TEST_F(ROOT_CgroupOnDetectedVersion, AllocatingPastTheMemoryLimitIsOomKilledAndCounted) {
  ASSERT_TRUE(driver_->Create(top_).ok());
  CgroupResources r;
  r.memory_limit = 10 << 20;
  // Under systemd a group kill would also take the scope's holder, and systemd would remove the
  // emptied scope's cgroup before memory.events is read: the holder stays, only the child dies.
  r.memory_oom_group = slice_.empty();
  absl::Status st = driver_->Apply(top_, r);
  ASSERT_TRUE(st.ok()) << st;

  GatedChild child([] { return Allocate(100); });
  ASSERT_GT(child.pid(), 0);
  st = driver_->AddProcess(top_, child.pid());
  ASSERT_TRUE(st.ok()) << st;
  child.Release();
  int status = child.Wait();
  ASSERT_TRUE(WIFSIGNALED(status)) << "a 10 MiB cgroup let a process touch 100 MiB (exit status " << status
                                   << "); swap on this machine?";
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  if (v2_) {
    std::string events = Dir(top_, "") + "/memory.events";
    EXPECT_GE(KeyedValue(events, "oom_kill").value_or(0), 1) << Read(events);
    if (*r.memory_oom_group) {
      EXPECT_GE(KeyedValue(events, "oom_group_kill").value_or(0), 1) << "memory.oom.group was set: " << Read(events);
    }
    EXPECT_GE(KeyedValue(events, "max").value_or(0), 1) << Read(events);
  } else {
    std::string oom = Dir(top_, "memory") + "/memory.oom_control";
    EXPECT_GE(KeyedValue(oom, "oom_kill").value_or(0), 1) << Read(oom);
    EXPECT_GE(std::stoll(Read(Dir(top_, "memory") + "/memory.failcnt")), 1);
  }
}

}  // namespace
}  // namespace podagent
