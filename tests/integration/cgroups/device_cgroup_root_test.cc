// ROOT: device rules and cgroup kill on the real kernel, whichever cgroup version it runs (v1 on
// these hosts, v2 in the guest of hack/vm). The truth is the kernel: devices.list on v1, the
// programs BPF_PROG_QUERY reports on v2, and what open() and mknod() answer to a process inside.
// The BPF program is also checked on the host's controller-less cgroup2 mount
// (/sys/fs/cgroup/unified), where the kernel runs it just as on a v2 node.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/cgroups/device_bpf.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "tests/lib/host_cgroup_test.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {


// The rules under test: the defaults plus /dev/full (c 1:7) granted read-only.
std::vector<DeviceRule> TestRules() {
  std::vector<DeviceRule> rules = DefaultDeviceRules();
  for (DeviceRule& r : rules) {
    if (r.major == 1 && r.minor == 7) r.access = "r";
  }
  return rules;
}

int OpenErrno(const char* path, int flags) {
  int fd = ::open(path, flags | O_CLOEXEC | O_NONBLOCK);
  if (fd >= 0) {
    ::close(fd);
    return 0;
  }
  return errno;
}

int MknodErrno(const std::string& dir, const char* name, mode_t type, dev_t dev) {
  std::string path = dir + "/" + name;
  int rc = ::mknod(path.c_str(), type | 0600, dev);
  int err = rc == 0 ? 0 : errno;
  if (rc == 0) ::unlink(path.c_str());
  return err;
}

// In a child that first writes itself into `procs_files`: what the kernel lets it do. Returns
// 0 when every answer is the one TestRules() means, else the number of the first wrong one.
int ProbeDevices(const std::vector<std::string>& procs_files, const std::string& scratch) {
  pid_t pid = ::fork();
  if (pid == 0) {
    for (const std::string& f : procs_files) {
      if (!WriteFile(f, std::to_string(::getpid())).ok()) ::_exit(90);
    }
    if (OpenErrno("/dev/null", O_RDWR) != 0) ::_exit(1);
    if (OpenErrno("/dev/full", O_RDONLY) != 0) ::_exit(2);
    if (OpenErrno("/dev/full", O_WRONLY) != EPERM) ::_exit(3);   // granted "r" only
    if (OpenErrno("/dev/kmsg", O_RDONLY) != EPERM) ::_exit(4);   // c 1:11, not granted
    if (MknodErrno(scratch, "blk", S_IFBLK, makedev(7, 0)) != EPERM) ::_exit(5);  // a loop disk
    if (MknodErrno(scratch, "sda", S_IFBLK, makedev(8, 0)) != EPERM) ::_exit(6);  // the host's disk
    if (MknodErrno(scratch, "null", S_IFCHR, makedev(1, 3)) != 0) ::_exit(7);
    ::_exit(0);
  }
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

std::set<std::string> Lines(const std::string& text) {
  std::set<std::string> out;
  for (absl::string_view l : absl::StrSplit(text, '\n', absl::SkipEmpty())) out.emplace(l);
  return out;
}

// The mount point of a cgroup2 file system, from /proc/self/mountinfo ("" when none).
std::string Cgroup2Mount() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f = absl::StrSplit(line, ' ');
    auto dash = std::find(f.begin(), f.end(), "-");
    if (dash != f.end() && dash + 1 != f.end() && *(dash + 1) == "cgroup2" && f.size() > 4) return f[4];
  }
  return "";
}

class DeviceCgroupOnDetectedVersion : public testing::HostCgroupTest {
 protected:
  DeviceCgroupOnDetectedVersion() : HostCgroupTest("podagent-devtest") {}
  testing::TempDir scratch_dir_{"podagent-devtest"};  // where a probe tries mknod
  const std::string& scratch_ = scratch_dir_.path();
};

TEST_F(DeviceCgroupOnDetectedVersion, DefaultRulesAndAGrantAreAllTheCgroupAllows) {
  std::string path = top_ + "/ctr";
  ASSERT_TRUE(driver_->Create(path).ok());
  EXPECT_EQ(ProbeDevices(driver_->ProcsFiles(path), scratch_), 3) << "before: /dev/full opens for writing, nothing is denied";
  CgroupResources r;
  r.devices = TestRules();
  absl::Status st = driver_->Apply(path, r);
  ASSERT_TRUE(st.ok()) << st;
  if (driver_->IsV2()) {
    auto progs = AttachedDevicePrograms(driver_->Dir(path, ""));
    ASSERT_TRUE(progs.ok()) << progs.status();
    EXPECT_EQ(progs->size(), 1u);
  } else {
    auto list = ReadFile(driver_->Dir(path, "devices") + "/devices.list");
    ASSERT_TRUE(list.ok()) << list.status();
    std::set<std::string> want;
    for (const DeviceRule& d : TestRules()) want.insert(DeviceRuleLine(d));
    EXPECT_EQ(Lines(*list), want) << *list;
  }
  EXPECT_EQ(ProbeDevices(driver_->ProcsFiles(path), scratch_), 0);
}

TEST_F(DeviceCgroupOnDetectedVersion, PrivilegedAllowsEveryDevice) {
  std::string path = top_ + "/priv";
  ASSERT_TRUE(driver_->Create(path).ok());
  CgroupResources r;
  r.devices = std::vector<DeviceRule>{AllowAllDevices()};
  ASSERT_TRUE(driver_->Apply(path, r).ok());
  if (!driver_->IsV2()) {
    EXPECT_EQ(Lines(ReadFile(driver_->Dir(path, "devices") + "/devices.list").value_or("")),
              std::set<std::string>{"a *:* rwm"});
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    for (const std::string& f : driver_->ProcsFiles(path)) {
      if (!WriteFile(f, std::to_string(::getpid())).ok()) ::_exit(90);
    }
    ::_exit(OpenErrno("/dev/kmsg", O_RDONLY) == 0 && MknodErrno(scratch_, "blk", S_IFBLK, makedev(7, 0)) == 0 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_F(DeviceCgroupOnDetectedVersion, BadPermissionsAreRefusedBeforeAnythingIsWritten) {
  std::string path = top_ + "/bad";
  ASSERT_TRUE(driver_->Create(path).ok());
  CgroupResources r;
  r.devices = std::vector<DeviceRule>{{'c', 1, 3, "rwx"}};
  EXPECT_EQ(driver_->Apply(path, r).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ProbeDevices(driver_->ProcsFiles(path), scratch_), 3) << "the cgroup is unchanged";
}

// The program itself, attached by hand to a cgroup2 directory (the host's unified mount on v1).
TEST(DeviceProgramOnCgroup2, AttachedProgramDecidesAndAReapplyReplacesIt) {
  ASSERT_EQ(::geteuid(), 0u) << "ROOT test: run as root";
  std::string mount = Cgroup2Mount();
  ASSERT_FALSE(mount.empty()) << "no cgroup2 mount on this machine";
  std::string dir = absl::StrCat(mount, "/podagent-bpftest-", NewId().substr(0, 12));
  ASSERT_EQ(::mkdir(dir.c_str(), 0755), 0) << dir;
  testing::TempDir scratch_dir("podagent-bpftest");
  const std::string& scratch = scratch_dir.path();
  absl::Status st = AttachDeviceProgram(dir, TestRules());
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(AttachedDevicePrograms(dir).value_or(std::vector<uint32_t>{}).size(), 1u);
  EXPECT_EQ(ProbeDevices({dir + "/cgroup.procs"}, scratch), 0);
  std::vector<DeviceRule> more = TestRules();
  more.push_back({'c', 1, 11, "r"});  // now /dev/kmsg too
  st = AttachDeviceProgram(dir, more);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(AttachedDevicePrograms(dir).value_or(std::vector<uint32_t>{}).size(), 1u) << "the old program is detached";
  EXPECT_EQ(ProbeDevices({dir + "/cgroup.procs"}, scratch), 4) << "kmsg opens under the new rules";
  EXPECT_EQ(::rmdir(dir.c_str()), 0) << dir;
}

// A tree that keeps forking: Kill must leave nothing, however the version kills.
void ExpectKillLeavesNothing(CgroupDriver& driver, const std::string& top) {
  std::string path = top + "/ctr";
  ASSERT_TRUE(driver.Create(path).ok());
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  pid_t child = ::fork();
  if (child == 0) {
    char c;
    ::close(go[1]);
    if (::read(go[0], &c, 1) != 1) ::_exit(1);
    ::execl("/bin/sh", "sh", "-c", "for i in 1 2 3 4; do sleep 300 & done; while :; do sleep 0.01; done", nullptr);
    ::_exit(2);
  }
  ::close(go[0]);
  absl::Status added = driver.AddProcess(path, child);
  EXPECT_EQ(::write(go[1], "g", 1), 1);
  ::close(go[1]);
  ASSERT_TRUE(added.ok()) << added;
  std::vector<pid_t> seen;
  for (int i = 0; i < 500 && seen.size() < 5; ++i) {
    seen = driver.Pids(path).value_or(std::vector<pid_t>{});
    if (seen.size() < 5) ::usleep(10000);
  }
  ASSERT_GE(seen.size(), 5u) << "the sleepers are born inside the cgroup";
  absl::Status st = driver.Kill(path);
  ASSERT_TRUE(st.ok()) << st;
  auto left = driver.Pids(path);
  ASSERT_TRUE(left.ok()) << left.status();
  EXPECT_TRUE(left->empty()) << left->size() << " processes left";
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  for (pid_t p : seen) {
    if (p == child) continue;
    auto stat = ReadFile(absl::StrCat("/proc/", p, "/stat"));
    bool gone = !stat.ok() || stat->find(") Z ") != std::string::npos;  // gone or a zombie awaiting init
    EXPECT_TRUE(gone) << "pid " << p << " still runs: " << stat.value_or("");
  }
  EXPECT_TRUE(driver.Exists(path)) << "Kill kills, it does not remove";
}

TEST_F(DeviceCgroupOnDetectedVersion, KillLeavesNoProcessOfAForkingTree) {
  ExpectKillLeavesNothing(*driver_, top_);
}

TEST(CgroupKillV1Only, KillOnTheUnifiedMountUsesCgroupKill) {
  ASSERT_EQ(::geteuid(), 0u) << "ROOT test: run as root";
  auto d = CgroupDriver::Detect("/sys/fs/cgroup/unified");
  ASSERT_TRUE(d.ok()) << d.status();
  std::string top = "/podagent-killtest-" + NewId().substr(0, 12);
  ExpectKillLeavesNothing(**d, top);
  EXPECT_TRUE((*d)->Destroy(top).ok());
}

}  // namespace
}  // namespace podagent
