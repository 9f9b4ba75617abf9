#include "runtime/process/run_command.h"

#include <dirent.h>

#include "cmd.h"
#include "gtest/gtest.h"

namespace podagent {
namespace {

TEST(RunCommand, FeedsStdinAndCapturesBothStreams) {
  auto r = RunCommand(Cmd({"/bin/sh", "-c", "cat; echo oops >&2; exit 3"}).With([&](CommandOptions& o) { o.stdin_data = "hello\n"; }));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->out, "hello\n");
  EXPECT_EQ(r->err, "oops\n");
  EXPECT_EQ(r->exit_code, 3);
}

TEST(RunCommand, PassesExactlyTheGivenEnvironment) {
  auto r = RunCommand(Cmd({"/usr/bin/env"}).With([&](CommandOptions& o) { o.env = {"A=1", "B=two"}; }));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "A=1\nB=two\n");
}

TEST(RunCommand, LargeStdinAndOutputDoNotDeadlock) {
  std::string big(4 << 20, 'x');
  auto r = RunCommand(Cmd({"/bin/cat"}).With([&](CommandOptions& o) { o.stdin_data = big; }).With([&](CommandOptions& o) { o.max_output = 8 << 20; }));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->out.size(), big.size());
  EXPECT_FALSE(r->out_truncated);
}

TEST(RunCommand, BoundsOutput) {
  auto r = RunCommand(Cmd({"/bin/sh", "-c", "head -c 100000 /dev/zero"}).With([&](CommandOptions& o) { o.max_output = 1000; }));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out.size(), 1000u);
  EXPECT_TRUE(r->out_truncated);
  EXPECT_EQ(r->exit_code, 0);
}

TEST(RunCommand, ProgramThatIgnoresStdinStillFinishes) {
  auto r = RunCommand(Cmd({"/bin/true"}).With([&](CommandOptions& o) { o.stdin_data = std::string(1 << 20, 'y'); }));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0);
}

TEST(RunCommand, TimeoutKillsTheProgram) {
  absl::Time start = absl::Now();
  auto r = RunCommand(Cmd({"/bin/sleep", "30"}).With([&](CommandOptions& o) { o.timeout = absl::Milliseconds(200); }));
  EXPECT_TRUE(absl::IsDeadlineExceeded(r.status())) << r.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_NE(r.status().message().find("/bin/sleep"), std::string::npos);
}

TEST(RunCommand, SignalReported) {
  auto r = RunCommand(Cmd({"/bin/sh", "-c", "kill -9 $$"}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->signal, 9);
  EXPECT_EQ(r->exit_code, -1);
}

}  // namespace
}  // namespace podagent
