// ROOT, on a node whose PID 1 is systemd (the hack/vm guest with PODAGENT_VM_INIT=systemd, on
// cgroup v2, or with PODAGENT_VM_CGROUP=hybrid on systemd's hybrid v1 layout): the systemd cgroup
// driver makes a pod the way the sandbox and container managers use it. A pod slice under a
// kubelet-like parent slice, a pause scope and a container scope, each joined by a forked child
// that writes itself into ProcsFiles, as the pause and a container's init do; the holders
// released; limits through Apply (systemd's properties and the files); a live update; Kill and
// Destroy. The truth is systemctl, /proc/PID/cgroup (every hierarchy's line) and the cgroup files
// (v2's, or each v1 controller's). Left out of the host suite and the shell guest by its name
// (*SystemdGuest).
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "runtime/cgroups/systemd_driver.h"
#include "runtime/cgroups/systemd_units.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "tests/lib/cgroup_membership.h"
#include "tests/lib/shell.h"
#include "tests/lib/sleeper.h"

namespace podagent {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::InCgroupEverywhere;
using testing::ReapSignal;
using testing::Sh;

constexpr char kCgroupRoot[] = "/sys/fs/cgroup";

std::string Read(const std::string& path) {
  auto s = ReadFile(path);
  return s.ok() ? std::string(absl::StripAsciiWhitespace(*s)) : "<" + std::string(s.status().message()) + ">";
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool Alive(pid_t pid) { return ::kill(pid, 0) == 0; }

// What systemctl lists for `unit` among the loaded units: "" when systemd has forgotten it.
std::string Listed(const std::string& unit) {
  return Sh({"/usr/bin/systemctl", "list-units", "--all", "--plain", "--no-legend", "--no-pager", unit});
}

std::string Show(const std::string& unit, const std::string& property) {
  return Sh({"/usr/bin/systemctl", "show", "-p", property, "--value", unit});
}

template <typename F>
bool Eventually(F done) {
  for (absl::Time end = absl::Now() + absl::Seconds(10); absl::Now() < end; absl::SleepFor(absl::Milliseconds(50))) {
    if (done()) return true;
  }
  return done();
}

// A child that joins a cgroup the way the pause does: it writes "0" (itself) into each of
// `procs_files`, then waits to be killed. Exits 3 when a write fails.
pid_t SpawnJoiner(const std::vector<std::string>& procs_files) {
  std::vector<const char*> files;
  for (const auto& f : procs_files) files.push_back(f.c_str());
  pid_t pid = ::fork();
  if (pid == 0) {
    for (const char* f : files) {
      int fd = ::open(f, O_WRONLY | O_CLOEXEC);
      if (fd < 0 || ::write(fd, "0", 1) != 1) ::_exit(3);
      ::close(fd);
    }
    for (;;) ::pause();
  }
  return pid;
}

class SystemdDriverSystemdGuest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto driver = SystemdCgroupDriver::Connect(kCgroupRoot);
    ASSERT_TRUE(driver.ok()) << "this test needs systemd as PID 1 on cgroup v2 or its hybrid layout (hack/vm "
                                "with PODAGENT_VM_INIT=systemd): "
                             << driver.status();
    driver_ = std::move(*driver);
    v2_ = testing::CgroupRootIsV2();
    auto units = systemd::SystemdUnits::Connect();
    ASSERT_TRUE(units.ok()) << units.status();
    units_ = std::move(*units);
  }
  // Whatever the test left: the children killed and reaped, the units stopped.
  void TearDown() override {
    for (pid_t pid : children_) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    if (units_ == nullptr) return;
    for (const std::string& unit : left_units_) EXPECT_TRUE(units_->Stop(unit).ok()) << unit;
    EXPECT_TRUE(units_->Stop(parent_slice_).ok());
    // Hybrid: the driver made the parent slice's path in the hierarchies systemd does not manage.
    if (!v2_) {
      for (const std::string& d : testing::CgroupDirs("/" + parent_slice_)) ::rmdir(d.c_str());
    }
  }

  pid_t Join(const std::string& path) {
    pid_t pid = SpawnJoiner(driver_->ProcsFiles(path));
    children_.push_back(pid);
    EXPECT_TRUE(Eventually([&] { return InCgroupEverywhere(pid, path); }))
        << "child " << pid << " is in " << Read(absl::StrCat("/proc/", pid, "/cgroup")) << ", not " << path;
    return pid;
  }

  // The file of `controller` for `path` as the kernel has it: `v2_file` on v2, `v1_file` in the
  // controller's v1 hierarchy.
  std::string File(const std::string& path, const std::string& controller, const std::string& v2_file,
                   const std::string& v1_file) const {
    return testing::CgroupFile(path, controller, v2_file, v1_file);
  }
  std::string MemoryLimit(const std::string& path) const {
    return Read(File(path, "memory", "memory.max", "memory.limit_in_bytes"));
  }
  // The memory limit's property: MemoryMax on v2, MemoryLimit (v1's) on the hybrid layout.
  const char* MemoryProperty() const { return v2_ ? "MemoryMax" : "MemoryLimit"; }

  std::unique_ptr<SystemdCgroupDriver> driver_;
  std::unique_ptr<systemd::SystemdUnits> units_;
  bool v2_ = true;
  const std::string tag_ = "padrv" + NewId().substr(0, 8);
  const std::string parent_slice_ = tag_ + ".slice";  // stands for kubelet's pod slice
  const std::string pod_id_ = NewId();
  const std::string container_id_ = NewId();
  std::vector<pid_t> children_;
  std::vector<std::string> left_units_;
};

TEST_F(SystemdDriverSystemdGuest, PodPauseAndContainerAreUnitsWithLimitsAndLeaveNothing) {
  auto pod = driver_->PodPath(parent_slice_, pod_id_);
  ASSERT_TRUE(pod.ok()) << pod.status();
  auto pause = driver_->PausePath(*pod, pod_id_);
  auto container = driver_->ContainerPath(*pod, container_id_);
  ASSERT_TRUE(pause.ok() && container.ok());
  const std::string pod_slice = tag_ + "-pod" + pod_id_ + ".slice";
  const std::string pause_scope = "podagent-" + pod_id_ + "-pause.scope";
  const std::string container_scope = "podagent-" + container_id_ + ".scope";
  ASSERT_EQ(*pod, "/" + parent_slice_ + "/" + pod_slice);
  left_units_ = {container_scope, pause_scope, pod_slice};

  // The pod: a slice with limits, in systemd's properties and the kernel's files.
  ASSERT_TRUE(driver_->Create(*pod).ok());
  CgroupResources pod_limits;
  pod_limits.memory_limit = int64_t{96} << 20;
  pod_limits.pids_limit = 50;
  pod_limits.cpu_quota = 50000;
  pod_limits.cpu_period = 100000;
  absl::Status applied = driver_->Apply(*pod, pod_limits);
  ASSERT_TRUE(applied.ok()) << applied;
  EXPECT_EQ(MemoryLimit(*pod), std::to_string(int64_t{96} << 20));
  EXPECT_EQ(Read(File(*pod, "pids", "pids.max", "pids.max")), "50");
  if (v2_) {
    EXPECT_EQ(Read(File(*pod, "cpu", "cpu.max", "")), "50000 100000");
  } else {
    EXPECT_EQ(Read(File(*pod, "cpu", "", "cpu.cfs_quota_us")), "50000");
    EXPECT_EQ(Read(File(*pod, "cpu", "", "cpu.cfs_period_us")), "100000");
  }
  EXPECT_EQ(Show(pod_slice, MemoryProperty()), std::to_string(int64_t{96} << 20)) << "set as systemd's property";

  // The pause: a scope held by the driver until the pause has joined, then the pause's alone.
  ASSERT_TRUE(driver_->Create(*pause).ok());
  pid_t pause_pid = Join(*pause);
  auto before = driver_->Pids(*pause);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->size(), 2u) << "the holder and the pause";
  driver_->ReleaseHold(*pause);
  EXPECT_THAT(*driver_->Pids(*pause), ElementsAre(pause_pid)) << "the holder is gone";
  for (pid_t p : *before) {
    if (p == pause_pid) continue;
    EXPECT_FALSE(Alive(p)) << "holder " << p << " is left (or not reaped)";
  }
  EXPECT_THAT(Listed(pause_scope), HasSubstr("running")) << "the scope outlives its holder";
  EXPECT_EQ(Show(pause_scope, "Delegate"), "yes");

  // The container: its scope, limits in properties and in files (memory.oom.group has no
  // property), a live update through systemd.
  ASSERT_TRUE(driver_->Create(*container).ok());
  CgroupResources limits;
  limits.memory_limit = int64_t{32} << 20;
  limits.pids_limit = 20;
  limits.memory_oom_group = true;
  limits.cpu_shares = 512;
  if (!v2_) limits.cpuset_cpus = "0";  // hybrid: no AllowedCPUs, the cpuset hierarchy's file
  applied = driver_->Apply(*container, limits);
  ASSERT_TRUE(applied.ok()) << applied;
  pid_t init_pid = Join(*container);
  auto held = driver_->Pids(*container);
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(MemoryLimit(*container), std::to_string(int64_t{32} << 20));
  EXPECT_EQ(Read(File(*container, "pids", "pids.max", "pids.max")), "20");
  EXPECT_EQ(Show(container_scope, "TasksMax"), "20");
  if (v2_) {
    EXPECT_EQ(Read(File(*container, "memory", "memory.oom.group", "")), "1");
    EXPECT_EQ(Read(File(*container, "cpu", "cpu.weight", "")), "20");
    EXPECT_EQ(Show(container_scope, "CPUWeight"), "20");
  } else {
    EXPECT_EQ(Read(File(*container, "cpu", "", "cpu.shares")), "512");
    EXPECT_EQ(Show(container_scope, "CPUShares"), "512");
    EXPECT_EQ(Read(File(*container, "cpuset", "", "cpuset.cpus")), "0");
  }
  CgroupResources update;
  update.memory_limit = int64_t{48} << 20;
  applied = driver_->Apply(*container, update);
  ASSERT_TRUE(applied.ok()) << applied;
  EXPECT_EQ(MemoryLimit(*container), std::to_string(int64_t{48} << 20));
  EXPECT_EQ(Show(container_scope, MemoryProperty()), std::to_string(int64_t{48} << 20));

  EXPECT_THAT(Listed(pod_slice), HasSubstr("active"));
  EXPECT_THAT(Listed(container_scope), HasSubstr("running"));
  EXPECT_TRUE(InCgroupEverywhere(init_pid, *container)) << Read(absl::StrCat("/proc/", init_pid, "/cgroup"));

  // Kill takes everything in the pod, the container's holder (never released) included, reaped.
  ASSERT_TRUE(driver_->Kill(*pod).ok());
  for (pid_t p : {pause_pid, init_pid}) EXPECT_EQ(ReapSignal(p), SIGKILL) << p;
  children_.clear();
  for (pid_t p : *held) EXPECT_FALSE(Alive(p)) << p << " is left (or not reaped)";

  // Destroy: no unit, no cgroup; kubelet's parent slice stays (Destroy leaves slices it did not make).
  ASSERT_TRUE(driver_->Destroy(*pod).ok());
  for (const std::string& unit : left_units_) {
    EXPECT_TRUE(Eventually([&] { return Listed(unit).empty(); })) << unit << " is left: " << Listed(unit);
  }
  // Every hierarchy's directory, the unified one of the hybrid layout included, is gone.
  for (const std::string& path : {*container, *pause, *pod}) {
    for (const std::string& d : testing::CgroupDirs(path)) {
      EXPECT_TRUE(Eventually([&] { return !Exists(d); })) << d << " is left";
    }
  }
  ASSERT_TRUE(driver_->Destroy("/" + parent_slice_).ok());
  EXPECT_THAT(Listed(parent_slice_), HasSubstr("active")) << "not podagent's to stop";
}

TEST_F(SystemdDriverSystemdGuest, PathsSystemdWouldNotGiveAreRefused) {
  auto pod = driver_->PodPath(parent_slice_, pod_id_);
  ASSERT_TRUE(pod.ok());
  absl::Status misplaced = driver_->Create("/" + tag_ + "-x.slice");  // belongs in parent_slice_
  EXPECT_TRUE(absl::IsInvalidArgument(misplaced)) << misplaced;
  EXPECT_THAT(std::string(misplaced.message()), HasSubstr("not where systemd puts"));
  absl::Status plain = driver_->Create("/" + tag_ + "/pod1");
  EXPECT_TRUE(absl::IsInvalidArgument(plain)) << plain;
  absl::Status orphan_scope = driver_->Create("/" + tag_ + "/podagent-1.scope");
  EXPECT_TRUE(absl::IsInvalidArgument(orphan_scope)) << orphan_scope;
  EXPECT_TRUE(Listed(tag_ + "-x.slice").empty());
  EXPECT_TRUE(driver_->Destroy("/" + tag_ + "-x.slice").ok()) << "absent is fine";
}

}  // namespace
}  // namespace podagent
