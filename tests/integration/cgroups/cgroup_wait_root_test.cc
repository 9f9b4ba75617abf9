// ROOT: the waits of the cgroup teardown (runtime/cgroups/cgroup_files.h) on this machine's real
// hierarchy, v1 or v2: an exit is seen when it happens, not at the next poll; a process that
// stays gives DeadlineExceeded naming it.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "runtime/cgroups/cgroup_files.h"
#include "tests/lib/host_cgroup_test.h"
#include "tests/lib/sleeper.h"

namespace podagent {
namespace {

using Clock = std::chrono::steady_clock;
using testing::ReapSignal;
using testing::ScopedChild;
using testing::SpawnSleeper;

double MsSince(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

class CgroupWaitRoot : public testing::HostCgroupTest {
 protected:
  CgroupWaitRoot() : HostCgroupTest("podagent-wait") {}

  void SetUp() override {
    HostCgroupTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(driver_->Create(top_).ok());
    dir_ = driver_->Dir(top_, "pids");
    ASSERT_FALSE(dir_.empty());
  }

  // A child in the cgroup `path` (default top_) that exits `ms` after it was moved in.
  pid_t SpawnExitingIn(int ms, const std::string& path = "") {
    int go[2];
    if (::pipe(go) != 0) return -1;
    pid_t pid = ::fork();
    if (pid == 0) {
      char c;
      ::close(go[1]);
      if (::read(go[0], &c, 1) != 1) ::_exit(1);
      ::usleep(static_cast<useconds_t>(ms) * 1000);
      ::_exit(0);
    }
    ::close(go[0]);
    absl::Status added = driver_->AddProcess(path.empty() ? top_ : path, pid);
    EXPECT_TRUE(added.ok()) << added;
    EXPECT_EQ(::write(go[1], "g", 1), 1);
    ::close(go[1]);
    return pid;
  }

  std::string dir_;
};

// The exit itself wakes the wait: with the next listing a minute away, a process that exits
// 30 ms in is seen long before it (a poll or a sleep until the next listing would take the
// minute). The 30 s bound is a correctness margin, not a speed figure.
TEST_F(CgroupWaitRoot, ExitIsSeenWhenItHappens) {
  pid_t pid = SpawnExitingIn(30);
  ASSERT_GT(pid, 0);
  auto start = Clock::now();
  absl::Status st = cgroupfs::WaitEmpty(dir_, 120000, false, /*relist_ms=*/60000);
  double took = MsSince(start);
  EXPECT_EQ(ReapSignal(pid), 0);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_GE(took, 25.0) << "returned before the process exited";
  EXPECT_LT(took, 30000.0) << "the exit did not wake the wait; the next listing did";
}

TEST_F(CgroupWaitRoot, ProcessThatStaysGivesDeadlineExceeded) {
  ScopedChild child(SpawnSleeper());
  ASSERT_TRUE(driver_->AddProcess(top_, child.pid()).ok());
  auto start = Clock::now();
  absl::Status st = cgroupfs::WaitEmpty(dir_, 50, false);
  double took = MsSince(start);
  EXPECT_TRUE(absl::IsDeadlineExceeded(st)) << st;
  EXPECT_EQ(st.message(), absl::StrCat("processes ", child.pid(), " still in ", dir_, " after 50ms of SIGKILL"));
  EXPECT_GE(took, 50.0);
  EXPECT_LT(took, 1000.0);
}

TEST_F(CgroupWaitRoot, KillRoundsEmptyTheCgroup) {
  pid_t pid = SpawnSleeper();
  ASSERT_TRUE(driver_->AddProcess(top_, pid).ok());
  absl::Status st = cgroupfs::WaitEmpty(dir_, 5000, true);
  EXPECT_EQ(ReapSignal(pid), SIGKILL);
  ASSERT_TRUE(st.ok()) << st;
}

// The freezer wait of Kill: v1 freezer.state (read again on a short backoff) or v2's
// cgroup.events (woken by the kernel's change event).
TEST_F(CgroupWaitRoot, FreezeIsSeen) {
  ScopedChild child(SpawnSleeper());
  ASSERT_TRUE(driver_->AddProcess(top_, child.pid()).ok());
  bool v2 = driver_->IsV2();
  std::string fdir = v2 ? dir_ : driver_->Dir(top_, "freezer");
  if (fdir.empty()) GTEST_SKIP() << "no v1 freezer hierarchy";
  std::string file = v2 ? "cgroup.freeze" : "freezer.state";
  ASSERT_TRUE(cgroupfs::Write(fdir, file, v2 ? "1" : "FROZEN", false).ok());
  absl::Status st = v2 ? cgroupfs::WaitForValue(fdir, "cgroup.events", "frozen 1", 2000)
                       : cgroupfs::WaitForValue(fdir, "freezer.state", "FROZEN", 2000);
  EXPECT_TRUE(st.ok()) << st;
  ASSERT_TRUE(cgroupfs::Write(fdir, file, v2 ? "0" : "THAWED", false).ok());
  absl::Status thawed = v2 ? cgroupfs::WaitForValue(fdir, "cgroup.events", "frozen 0", 2000)
                           : cgroupfs::WaitForValue(fdir, "freezer.state", "THAWED", 2000);
  EXPECT_TRUE(thawed.ok()) << thawed;
  absl::Status stuck = cgroupfs::WaitForValue(fdir, v2 ? "cgroup.events" : "freezer.state", "no such value", 30);
  EXPECT_TRUE(absl::IsDeadlineExceeded(stuck)) << stuck;
}

// Kill racing the cgroup's removal: systemd removes an emptied scope's cgroup as soon as its last
// process exits, and a StopPodSandbox in the systemd guest failed on the cgroup.kill of a
// container's scope that had just gone (NotFound). A cgroup that goes meanwhile is killed.
// Half the rounds have a process in the cgroup that exits as the race starts.
TEST_F(CgroupWaitRoot, KillWhileTheCgroupIsRemovedIsOk) {
  constexpr int kRounds = 400;
  int failures = 0;
  std::string first;
  for (int i = 0; i < kRounds; ++i) {
    std::string path = absl::StrCat(top_, "/k", i);
    absl::Status created = driver_->Create(path);
    ASSERT_TRUE(created.ok()) << created;
    pid_t pid = i % 2 == 1 ? SpawnExitingIn(0, path) : 0;
    std::atomic<bool> go{false};
    std::thread remover([&] {
      while (!go.load()) {
      }
      auto until = Clock::now() + std::chrono::seconds(10);
      while (driver_->Exists(path) && Clock::now() < until) (void)driver_->Destroy(path);
    });
    go = true;
    absl::Status killed = driver_->Kill(path);
    remover.join();
    if (pid > 0) ReapSignal(pid);
    ASSERT_FALSE(driver_->Exists(path)) << path << " was not removed";
    if (!killed.ok() && failures++ == 0) first = killed.ToString();
  }
  EXPECT_EQ(failures, 0) << "of " << kRounds << " rounds; the first: " << first;
}

}  // namespace
}  // namespace podagent
