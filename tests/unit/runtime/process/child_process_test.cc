#include "runtime/process/child_process.h"

#include <csignal>

#include "cmd.h"
#include "gtest/gtest.h"
#include "runtime/process/spawn.h"

namespace podagent {
namespace {

TEST(ChildProcess, TerminateEndsAndIsIdempotent) {
  auto child = Spawn(SpawnCmd({"/bin/sleep", "30"}));
  ASSERT_TRUE(child.ok());
  EXPECT_TRUE(child->Alive());
  EXPECT_GT(child->identity().start_time, 0u);
  auto exit = child->Terminate(SIGTERM, absl::Seconds(5));
  ASSERT_TRUE(exit.ok()) << exit.status();
  EXPECT_EQ(exit->signal, SIGTERM);
  EXPECT_FALSE(child->Alive());
  EXPECT_TRUE(child->Signal(SIGKILL).ok()) << "signalling an exited process is a no-op";
  EXPECT_TRUE(child->Terminate(SIGTERM, absl::Seconds(1)).ok());
}

TEST(ChildProcess, TerminateEscalatesToSigkill) {
  auto child = Spawn(SpawnCmd({"/bin/sh", "-c", "trap '' TERM; echo ready; sleep 30"}));
  ASSERT_TRUE(child.ok());
  ::usleep(200000);  // let the shell install its trap
  auto exit = child->Terminate(SIGTERM, absl::Milliseconds(300));
  ASSERT_TRUE(exit.ok()) << exit.status();
  EXPECT_EQ(exit->signal, SIGKILL);
}

TEST(ChildProcess, AdoptChecksStartTime) {
  auto child = Spawn(SpawnCmd({"/bin/sleep", "30"}));
  ASSERT_TRUE(child.ok());
  ProcessIdentity id = child->identity();
  auto same = ChildProcess::Adopt(id);
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_TRUE(same->Alive());
  ProcessIdentity reused = id;
  reused.start_time += 1;  // as if the pid now named a newer process
  EXPECT_TRUE(absl::IsNotFound(ChildProcess::Adopt(reused).status()));
  // The adopted (non-child) handle can end it and see it go.
  ASSERT_TRUE(same->Signal(SIGKILL).ok());
  auto exit = child->Wait(absl::Seconds(5));
  ASSERT_TRUE(exit.ok());
  EXPECT_EQ(exit->signal, SIGKILL);
  EXPECT_FALSE(same->Alive());
  EXPECT_TRUE(absl::IsNotFound(ChildProcess::Adopt(id).status()));
}

TEST(ChildProcess, WaitTimesOut) {
  auto child = Spawn(SpawnCmd({"/bin/sleep", "30"}));
  ASSERT_TRUE(child.ok());
  EXPECT_TRUE(absl::IsDeadlineExceeded(child->Wait(absl::Milliseconds(50)).status()));
  ASSERT_TRUE(child->Terminate(SIGKILL, absl::Seconds(5)).ok());
}

}  // namespace
}  // namespace podagent
