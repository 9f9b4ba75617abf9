// ROOT: LinuxSandboxRuntime on the real kernel: pause in new namespaces (or the host's), the pod
// cgroup, the pinned netns, sysctls inside, and nothing left after Remove.
#include <dirent.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "runtime/cgroups/cgroup.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "runtime/ns/pinned_namespace.h"
#include "runtime/process/run_command.h"
#include "runtime/sandbox/pause_process.h"
#include "runtime/sandbox/sandbox_runtime.h"
#include "tests/lib/ns_inode.h"
#include "tests/lib/paths.h"
#include "tests/lib/shell.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

using testing::BinDir;
using testing::HostNsInode;
using testing::ReadNsInode;
using testing::ReadNsInodeAt;
using testing::Sh;

class RootSandbox : public ::testing::Test {
 protected:
  testing::TempDir scratch_{"podagent-sbx"};
  void SetUp() override {
    ASSERT_EQ(::geteuid(), 0u) << "ROOT test: run as root";
    run_dir_ = scratch_.path();
    auto d = CgroupDriver::Detect();
    ASSERT_TRUE(d.ok()) << d.status();
    cgroups_ = std::move(*d);
    parent_ = "/podagent-test-" + NewId().substr(0, 12);
    std::string pause = BinDir() + "/podagent-pause";
    ASSERT_TRUE(PathExists(pause)) << "build podagent-pause first: " << pause;
    runtime_ = std::make_unique<LinuxSandboxRuntime>(*cgroups_, pause, run_dir_);
  }
  void TearDown() override {
    if (!runtime_) return;
    for (const std::string& id : started_) EXPECT_TRUE(runtime_->Remove(id, CgroupOf(id)).ok());
    EXPECT_TRUE(cgroups_->Destroy(parent_).ok());
    EXPECT_TRUE(UnmountSharedMountDir(run_dir_ + "/netns").ok());
    EXPECT_TRUE(RemoveTree(run_dir_).ok());
    auto mounts = ReadFile("/proc/self/mountinfo");
    ASSERT_TRUE(mounts.ok());
    EXPECT_EQ(mounts->find(run_dir_), std::string::npos) << "a mount under the run dir was left";
  }
  std::string CgroupOf(const std::string& id) { return parent_ + "/pod" + id; }
  SandboxSpec Spec() {
    SandboxSpec spec;
    spec.id = NewId();
    spec.hostname = "podhost-" + spec.id.substr(0, 6);
    spec.cgroup_path = CgroupOf(spec.id);
    return spec;
  }
  absl::StatusOr<SandboxState> Start(const SandboxSpec& spec) {
    auto st = runtime_->Start(spec);
    if (st.ok()) started_.push_back(spec.id);
    return st;
  }
  void ExpectNothingLeft(const SandboxSpec& spec) {
    EXPECT_FALSE(cgroups_->Exists(spec.cgroup_path)) << spec.cgroup_path;
    EXPECT_FALSE(PathExists(runtime_->NetnsPath(spec.id)));
    EXPECT_FALSE(PathExists(runtime_->PodDir(spec.id)));
    auto mounts = ReadFile("/proc/self/mountinfo");
    EXPECT_EQ(mounts->find(runtime_->NetnsPath(spec.id)), std::string::npos);
  }

  std::string run_dir_, parent_;
  std::unique_ptr<CgroupDriver> cgroups_;
  std::unique_ptr<LinuxSandboxRuntime> runtime_;
  std::vector<std::string> started_;
};

TEST_F(RootSandbox, PauseGetsNewNamespacesCgroupAndPinnedNetns) {
  SandboxSpec spec = Spec();
  auto st = Start(spec);
  ASSERT_TRUE(st.ok()) << st.status();
  pid_t pid = st->pause.pid;
  for (const char* ns : {"ipc", "net", "uts", "mnt", "pid"}) {
    EXPECT_NE(ReadNsInode(pid, ns), ReadNsInode(getpid(), ns)) << ns << ": pause vs the test";
    EXPECT_NE(ReadNsInode(pid, ns), HostNsInode(ns)) << ns << ": pause vs the host";
  }
  EXPECT_EQ(st->netns_path, runtime_->NetnsPath(spec.id));
  EXPECT_TRUE(IsNamespacePin(st->netns_path));
  EXPECT_EQ(ReadNsInodeAt(st->netns_path), ReadNsInode(pid, "net"));
  // The pod cgroup holds pause (in its "pause" child).
  auto pids = cgroups_->Pids(spec.cgroup_path);
  ASSERT_TRUE(pids.ok()) << pids.status();
  EXPECT_EQ(*pids, std::vector<pid_t>{pid});
  auto cg = ReadFile(absl::StrCat("/proc/", pid, "/cgroup"));
  EXPECT_NE(cg->find(spec.cgroup_path + "/pause"), std::string::npos) << *cg;
  // Inside: PID 1, the hostname, lo up.
  auto stat = ReadFile(absl::StrCat("/proc/", pid, "/status"));
  EXPECT_NE(stat->find("NSpid:\t" + std::to_string(pid) + "\t1\n"), std::string::npos) << *stat;
  EXPECT_EQ(Sh({"/usr/bin/nsenter", "--uts=/proc/" + std::to_string(pid) + "/ns/uts", "/bin/hostname"}), spec.hostname);
  EXPECT_NE(Sh({"/usr/bin/nsenter", "--net=" + st->netns_path, "/usr/sbin/ip", "-o", "link", "show", "lo"}).find(",UP"),
            std::string::npos);
  EXPECT_TRUE(runtime_->PauseAlive(spec.id, st->pause));
  // Pod files.
  EXPECT_EQ(*ReadFile(st->files.hostname), spec.hostname + "\n");
  EXPECT_TRUE(PathExists(st->files.resolv_conf));
  EXPECT_TRUE(PathExists(st->files.hosts));

  ASSERT_TRUE(runtime_->StopPause(spec.id, st->pause, absl::Seconds(5)).ok());
  EXPECT_FALSE(runtime_->PauseAlive(spec.id, st->pause));
  EXPECT_TRUE(IsNamespacePin(st->netns_path)) << "the netns outlives pause (for CNI DEL)";
  ASSERT_TRUE(runtime_->StopPause(spec.id, st->pause, absl::Seconds(5)).ok()) << "idempotent";
  ASSERT_TRUE(runtime_->Remove(spec.id, spec.cgroup_path).ok());
  ASSERT_TRUE(runtime_->Remove(spec.id, spec.cgroup_path).ok()) << "idempotent";
  ExpectNothingLeft(spec);
}

TEST_F(RootSandbox, NodeModesShareTheHostsNamespaces) {
  SandboxSpec spec = Spec();
  spec.host_network = spec.host_ipc = spec.host_pid = true;
  auto st = Start(spec);
  ASSERT_TRUE(st.ok()) << st.status();
  pid_t pid = st->pause.pid;
  for (const char* ns : {"ipc", "net", "uts", "pid"}) {
    EXPECT_EQ(ReadNsInode(pid, ns), ReadNsInode(getpid(), ns)) << ns;
  }
  EXPECT_NE(ReadNsInode(pid, "mnt"), ReadNsInode(getpid(), "mnt"));
  EXPECT_NE(ReadNsInode(pid, "mnt"), HostNsInode("mnt"));
  EXPECT_EQ(st->netns_path, "");
  ASSERT_TRUE(runtime_->Remove(spec.id, spec.cgroup_path).ok());
  EXPECT_FALSE(runtime_->PauseAlive(spec.id, st->pause)) << "Remove ends a pause still running";
  ExpectNothingLeft(spec);
}

TEST_F(RootSandbox, SysctlsAreSetInsideOnly) {
  SandboxSpec spec = Spec();
  auto sysctls = ValidatePodSysctls({{"net.ipv4.ip_forward", "1"}, {"kernel.shmmni", "1234"}, {"net.core.somaxconn", "777"}},
                                    false, false);
  ASSERT_TRUE(sysctls.ok());
  spec.sysctls = *sysctls;
  std::string host_shmmni = Sh({"/bin/cat", "/proc/sys/kernel/shmmni"});
  std::string host_somaxconn = Sh({"/bin/cat", "/proc/sys/net/core/somaxconn"});
  auto st = Start(spec);
  ASSERT_TRUE(st.ok()) << st.status();
  std::string p = std::to_string(st->pause.pid);
  EXPECT_EQ(Sh({"/usr/bin/nsenter", "--net=" + st->netns_path, "/bin/cat", "/proc/sys/net/ipv4/ip_forward"}), "1");
  EXPECT_EQ(Sh({"/usr/bin/nsenter", "--net=" + st->netns_path, "/bin/cat", "/proc/sys/net/core/somaxconn"}), "777");
  EXPECT_EQ(Sh({"/usr/bin/nsenter", "--ipc=/proc/" + p + "/ns/ipc", "/bin/cat", "/proc/sys/kernel/shmmni"}), "1234");
  EXPECT_EQ(Sh({"/bin/cat", "/proc/sys/kernel/shmmni"}), host_shmmni);
  EXPECT_EQ(Sh({"/bin/cat", "/proc/sys/net/core/somaxconn"}), host_somaxconn);
}

TEST_F(RootSandbox, FailedSetupLeavesNothing) {
  SandboxSpec spec = Spec();
  spec.sysctls = {{"net.core.somaxconn", "net/core/somaxconn", "not-a-number"}};
  auto st = runtime_->Start(spec);
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(st.status())) << st.status();
  EXPECT_NE(st.status().message().find("somaxconn"), std::string::npos) << st.status();
  ExpectNothingLeft(spec);
}

TEST_F(RootSandbox, NetnsPinSurvivesPauseDeathAndRemoveCleansUp) {
  SandboxSpec spec = Spec();
  auto st = Start(spec);
  ASSERT_TRUE(st.ok()) << st.status();
  uint64_t net = ReadNsInodeAt(st->netns_path);
  ASSERT_EQ(::kill(st->pause.pid, SIGKILL), 0);
  for (int i = 0; i < 100 && runtime_->PauseAlive(spec.id, st->pause); ++i) ::usleep(10000);
  EXPECT_FALSE(runtime_->PauseAlive(spec.id, st->pause));
  EXPECT_EQ(ReadNsInodeAt(st->netns_path), net);
  EXPECT_NE(Sh({"/usr/bin/nsenter", "--net=" + st->netns_path, "/usr/sbin/ip", "-o", "link", "show", "lo"}).find("lo"),
            std::string::npos);
  ASSERT_TRUE(runtime_->Remove(spec.id, spec.cgroup_path).ok());
  ExpectNothingLeft(spec);
}

TEST_F(RootSandbox, PauseIsPid1AndReapsOrphans) {
  auto st = Start(Spec());
  ASSERT_TRUE(st.ok()) << st.status();
  std::string p = std::to_string(st->pause.pid);
  // A shell inside the pod's PID namespace leaves a child behind: it is reparented to pause.
  std::string out = Sh({"/usr/bin/nsenter", "--pid=/proc/" + p + "/ns/pid", "--", "/bin/sh", "-c", "/bin/sleep 0.2 & echo started"});
  EXPECT_EQ(out, "started");
  std::string children;
  for (int i = 0; i < 200; ++i) {
    ::usleep(10000);
    children = Sh({"/bin/cat", "/proc/" + p + "/task/" + p + "/children"});
    if (i > 40 && children.empty()) break;
  }
  EXPECT_EQ(children, "") << "pause left a zombie child";
}

// Pause leaves the host's root for an empty read-only tmpfs: /proc/<pause>/root, which every
// container of a shared-PID pod reaches as /proc/1/root, shows nothing of the host.
TEST_F(RootSandbox, PauseRootIsEmptyReadOnlyTmpfs) {
  auto st = Start(Spec());
  ASSERT_TRUE(st.ok()) << st.status();
  std::string root = absl::StrCat("/proc/", st->pause.pid, "/root/");
  struct statfs fs {};
  ASSERT_EQ(::statfs(root.c_str(), &fs), 0) << root << ": " << strerror(errno);
  EXPECT_EQ(fs.f_type, static_cast<decltype(fs.f_type)>(TMPFS_MAGIC));
  EXPECT_NE(fs.f_flags & ST_RDONLY, 0u) << "pause's root must be read-only";
  struct stat host {}, inside {};
  ASSERT_EQ(::stat("/", &host), 0);
  ASSERT_EQ(::stat(root.c_str(), &inside), 0) << strerror(errno);
  EXPECT_NE(host.st_dev, inside.st_dev) << "pause still sees the host's root filesystem";
  DIR* dir = ::opendir(root.c_str());
  ASSERT_NE(dir, nullptr) << root << ": " << strerror(errno);
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(dir)) {
    if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") names.push_back(e->d_name);
  }
  ::closedir(dir);
  EXPECT_TRUE(names.empty()) << "pause's root lists " << absl::StrJoin(names, " ");
}

TEST_F(RootSandbox, PauseIsSmallAndExitsZeroOnSigterm) {
  PauseSpec spec;
  spec.pod_id = "plain";
  spec.binary = BinDir() + "/podagent-pause";
  auto pause = StartPause(spec);
  ASSERT_TRUE(pause.ok()) << pause.status();
  auto status = ReadFile(absl::StrCat("/proc/", pause->pid(), "/status"));
  size_t at = status->find("VmRSS:");
  ASSERT_NE(at, std::string::npos);
  int64_t kb = -1;
  std::vector<std::string> parts = absl::StrSplit(status->substr(at + 6, status->find('\n', at) - at - 6), ' ', absl::SkipWhitespace());
  ASSERT_FALSE(parts.empty());
  ASSERT_TRUE(absl::SimpleAtoi(parts[0], &kb));
  EXPECT_LT(kb, 128) << "pause RSS must stay a few dozen KiB (no C library, runtime/pause/README.md)";
  auto exit = pause->Terminate(SIGTERM, absl::Seconds(5));
  ASSERT_TRUE(exit.ok());
  EXPECT_EQ(exit->exit_code, 0);
  EXPECT_EQ(exit->signal, 0);
}

TEST_F(RootSandbox, PauseSetupErrorComesBackAsStatus) {
  PauseSpec spec;
  spec.pod_id = "bad";
  spec.binary = BinDir() + "/podagent-pause";
  spec.cgroup_procs_files = {"/nonexistent/cgroup.procs"};
  auto pause = StartPause(spec);
  ASSERT_FALSE(pause.ok());
  EXPECT_TRUE(absl::IsNotFound(pause.status())) << pause.status();
  EXPECT_NE(pause.status().message().find("join cgroup"), std::string::npos) << pause.status();
}

TEST_F(RootSandbox, HundredCyclesLeaveNothing) {
  for (int i = 0; i < 100; ++i) {
    SandboxSpec spec = Spec();
    auto st = runtime_->Start(spec);
    ASSERT_TRUE(st.ok()) << "cycle " << i << ": " << st.status();
    ASSERT_TRUE(runtime_->StopPause(spec.id, st->pause, absl::Seconds(5)).ok());
    ASSERT_TRUE(runtime_->Remove(spec.id, spec.cgroup_path).ok());
    ExpectNothingLeft(spec);
  }
  auto left = ListDir(run_dir_ + "/netns");
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
}

}  // namespace
}  // namespace podagent
