// ScopeHolder: the child that keeps a systemd scope alive until its real process joined. It runs
// until released, Release ends and reaps it even while a forked child (no exec) still holds the
// pipe, and it exits on its own once its owner's end of the pipe is gone.
#include "runtime/cgroups/scope_holder.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/time/clock.h"
#include "tests/lib/sleeper.h"

namespace podagent {
namespace {

// True while `pid` is our child and has not exited (a zombie counts as exited).
bool Running(pid_t pid) {
  siginfo_t info{};
  return ::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == 0;
}

TEST(ScopeHolder, RunsUntilReleasedThenIsReaped) {
  auto holder = ScopeHolder::Start();
  ASSERT_TRUE(holder.ok()) << holder.status();
  pid_t pid = holder->pid();
  ASSERT_GT(pid, 0);
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_TRUE(Running(pid));
  // A fork that never execs keeps a copy of the pipe's write end: Release must not wait on EOF.
  testing::ScopedChild forked(testing::SpawnSleeper());
  holder->Release();
  EXPECT_EQ(holder->pid(), -1);
  EXPECT_EQ(::kill(pid, 0), -1) << "reaped: the pid is gone";
  holder->Release();  // again: nothing to do
}

TEST(ScopeHolder, ADestroyedHolderIsReaped) {
  pid_t pid;
  {
    auto holder = ScopeHolder::Start();
    ASSERT_TRUE(holder.ok());
    pid = holder->pid();
  }
  EXPECT_EQ(::kill(pid, 0), -1);
}

}  // namespace
}  // namespace podagent
