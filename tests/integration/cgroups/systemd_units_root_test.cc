// ROOT, on a node whose PID 1 is systemd (the hack/vm guest with PODAGENT_VM_INIT=systemd,
// cgroup v2): the systemd unit layer against the real manager over D-Bus. A transient slice with
// limits and a delegated scope around a child this test forks; the truth is systemd's own CLI
// (systemctl), the kernel's /proc/PID/cgroup and the cgroup files. On a host without systemd the
// test fails at Connect with the reason (left out of the host suite and the shell guest by its name, *SystemdGuest).
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
#include "runtime/cgroups/cgroup.h"
#include "runtime/cgroups/cgroup_limits.h"
#include "runtime/cgroups/systemd_names.h"
#include "runtime/cgroups/systemd_properties.h"
#include "runtime/cgroups/systemd_units.h"
#include "runtime/common/files.h"
#include "runtime/common/ids.h"
#include "tests/lib/shell.h"
#include "tests/lib/sleeper.h"

namespace podagent::systemd {
namespace {

using testing::ReapSignal;
using testing::Sh;
using testing::SpawnSleeper;

constexpr char kCgroupRoot[] = "/sys/fs/cgroup";

// A cgroup file's value; a read error fails the test.
std::string Read(const std::string& path) {
  auto s = ReadFile(path);
  if (!s.ok()) ADD_FAILURE() << s.status();
  return s.ok() ? std::string(absl::StripAsciiWhitespace(*s)) : "<" + std::string(s.status().message()) + ">";
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// What systemctl lists for `unit` among the loaded units: "" when systemd has forgotten it.
std::string Listed(const std::string& unit) {
  return Sh({"/usr/bin/systemctl", "list-units", "--all", "--plain", "--no-legend", "--no-pager", unit});
}

// Polls `done` for up to 10 s: systemd collects stopped units and cgroups from its event loop.
template <typename F>
bool Eventually(F done) {
  for (absl::Time end = absl::Now() + absl::Seconds(10); absl::Now() < end; absl::SleepFor(absl::Milliseconds(50))) {
    if (done()) return true;
  }
  return done();
}

class RootUnitsSystemdGuest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto units = SystemdUnits::Connect();
    ASSERT_TRUE(units.ok()) << "this test needs systemd as PID 1 (hack/vm with PODAGENT_VM_INIT=systemd): "
                            << units.status();
    units_ = std::move(*units);
    auto cgroups = CgroupDriver::Detect(kCgroupRoot);
    ASSERT_TRUE(cgroups.ok()) << cgroups.status();
    ASSERT_TRUE((*cgroups)->IsV2()) << "the cgroup file checks are v2's";
  }
  // Whatever the test left: every unit stopped (children first), the child killed and reaped.
  void TearDown() override {
    if (units_ == nullptr) return;
    for (const std::string& unit : {scope_, slice_, parent_slice_, bad_slice_}) {
      absl::Status st = units_->Stop(unit);
      EXPECT_TRUE(st.ok()) << st;
    }
    if (child_ > 0) {
      ::kill(child_, SIGKILL);
      ::waitpid(child_, nullptr, 0);
    }
  }

  std::unique_ptr<SystemdUnits> units_;
  const std::string tag_ = "patest" + NewId().substr(0, 8);
  const std::string parent_slice_ = tag_ + ".slice";
  const std::string slice_ = tag_ + "-pod1.slice";
  const std::string scope_ = *ScopeName(NewId());
  const std::string bad_slice_ = tag_ + "bad.slice";  // never started: systemd refuses its property
  pid_t child_ = -1;
};

TEST_F(RootUnitsSystemdGuest, SliceAndScopeCarryLimitsUpdateAndLeaveNothing) {
  CgroupResources r;
  r.cpu_shares = 512;
  r.cpu_quota = 50000;
  r.cpu_period = 100000;
  r.memory_limit = int64_t{64} << 20;
  r.pids_limit = 50;
  r.cpuset_cpus = "0";
  auto resources = ResourceProperties(r);
  ASSERT_TRUE(resources.ok()) << resources.status();
  ASSERT_TRUE(units_->Start(slice_, SliceProperties("podagent test pod", *resources)).ok());

  child_ = SpawnSleeper();
  ASSERT_GT(child_, 0);
  absl::Status started = units_->Start(
      scope_, ScopeProperties("podagent test container", slice_, {child_}, {{"MemoryMax", uint64_t{32} << 20}}));
  ASSERT_TRUE(started.ok()) << started;

  // systemd lists both as active, and says where their cgroups are; the kernel agrees.
  EXPECT_THAT(Listed(slice_), ::testing::HasSubstr("active")) << slice_;
  EXPECT_THAT(Listed(scope_), ::testing::HasSubstr("running")) << scope_;
  auto slice_path = SliceCgroupPath(slice_);
  ASSERT_TRUE(slice_path.ok());
  ASSERT_EQ(*slice_path, "/" + parent_slice_ + "/" + slice_);
  EXPECT_EQ(*units_->ControlGroup(slice_), *slice_path);
  EXPECT_EQ(*units_->ControlGroup(scope_), *slice_path + "/" + scope_);
  EXPECT_EQ(Read(absl::StrCat("/proc/", child_, "/cgroup")), "0::" + *slice_path + "/" + scope_);
  EXPECT_EQ(Sh({"/usr/bin/systemctl", "show", "-p", "Delegate", "--value", scope_}), "yes");

  // The limits are in the kernel's files.
  const std::string slice_dir = kCgroupRoot + *slice_path, scope_dir = slice_dir + "/" + scope_;
  EXPECT_EQ(Read(slice_dir + "/memory.max"), std::to_string(int64_t{64} << 20));
  EXPECT_EQ(Read(slice_dir + "/cpu.max"), "50000 100000");
  EXPECT_EQ(Read(slice_dir + "/pids.max"), "50");
  EXPECT_EQ(Read(slice_dir + "/cpu.weight"), std::to_string(cgroup_limits::CpuWeightFromShares(512)));
  EXPECT_EQ(Read(slice_dir + "/cpuset.cpus"), "0");
  EXPECT_EQ(Read(scope_dir + "/memory.max"), std::to_string(int64_t{32} << 20));

  // A live update reaches the file.
  absl::Status set = units_->SetProperties(slice_, {{"MemoryMax", uint64_t{48} << 20}});
  ASSERT_TRUE(set.ok()) << set;
  EXPECT_EQ(Read(slice_dir + "/memory.max"), std::to_string(int64_t{48} << 20));

  // Stop: the child is killed, the units and their cgroups are gone.
  ASSERT_TRUE(units_->Stop(scope_).ok());
  EXPECT_EQ(ReapSignal(child_), SIGTERM) << "systemd's stop of a scope sends SIGTERM";
  child_ = -1;
  ASSERT_TRUE(units_->Stop(slice_).ok());
  ASSERT_TRUE(units_->Stop(parent_slice_).ok());
  for (const std::string& unit : {scope_, slice_, parent_slice_}) {
    EXPECT_TRUE(Eventually([&] { return Listed(unit).empty(); })) << unit << " still listed: " << Listed(unit);
    EXPECT_TRUE(absl::IsNotFound(units_->ActiveState(unit).status())) << unit;
  }
  for (const std::string& dir : {scope_dir, slice_dir, std::string(kCgroupRoot) + "/" + parent_slice_}) {
    EXPECT_TRUE(Eventually([&] { return !Exists(dir); })) << dir << " is left";
  }
}

TEST_F(RootUnitsSystemdGuest, ErrorsCarrySystemdsNames) {
  ASSERT_TRUE(units_->Start(slice_, SliceProperties("podagent test pod", {})).ok());
  absl::Status again = units_->Start(slice_, SliceProperties("podagent test pod", {}));
  EXPECT_TRUE(absl::IsAlreadyExists(again)) << again;
  EXPECT_THAT(std::string(again.message()), ::testing::HasSubstr("org.freedesktop.systemd1.UnitExists"));
  absl::Status bad = units_->Start(bad_slice_, {{"NoSuchProperty", uint64_t{1}}});
  EXPECT_TRUE(absl::IsInvalidArgument(bad)) << bad;
  EXPECT_THAT(std::string(bad.message()), ::testing::HasSubstr("NoSuchProperty"));
  EXPECT_TRUE(absl::IsNotFound(units_->ControlGroup("podagent-0.scope").status()));
  EXPECT_TRUE(units_->Stop("podagent-0.scope").ok()) << "stopping an absent unit is fine";
}

}  // namespace
}  // namespace podagent::systemd
