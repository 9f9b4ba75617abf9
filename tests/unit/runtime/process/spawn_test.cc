#include "runtime/process/spawn.h"

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include "absl/strings/str_split.h"
#include "cmd.h"
#include "gtest/gtest.h"
#include "runtime/process/run_command.h"

namespace podagent {
namespace {

TEST(Spawn, RunsAndReportsExit) {
  auto child = Spawn(SpawnCmd({"/bin/sh", "-c", "exit 7"}));
  ASSERT_TRUE(child.ok()) << child.status();
  auto exit = child->Wait(absl::Seconds(10));
  ASSERT_TRUE(exit.ok()) << exit.status();
  EXPECT_EQ(exit->exit_code, 7);
  EXPECT_EQ(exit->signal, 0);
  EXPECT_FALSE(child->Alive());
}

TEST(Spawn, MissingProgramIsAnErrorNamingIt) {
  auto child = Spawn(SpawnCmd({"/nonexistent/prog"}));
  ASSERT_FALSE(child.ok());
  EXPECT_TRUE(absl::IsNotFound(child.status())) << child.status();
  EXPECT_NE(child.status().message().find("/nonexistent/prog"), std::string::npos);
  EXPECT_NE(child.status().message().find("execve"), std::string::npos);
}

TEST(Spawn, RefusesRelativeProgramAndNonNamespaceFlags) {
  EXPECT_TRUE(absl::IsInvalidArgument(Spawn(SpawnCmd({"sh"})).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(Spawn(SpawnCmd({"/bin/true"}).With([&](SpawnOptions& o) { o.namespace_flags = CLONE_THREAD; })).status()));
}

TEST(Spawn, MapsFdsAndClosesTheRest) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  int stray = ::open("/dev/null", O_RDONLY);  // not CLOEXEC: must still not leak into the child
  auto child = Spawn(SpawnCmd({"/bin/sh", "-c", "ls /proc/self/fd >&3"}).With([&](SpawnOptions& o) { o.fds = {{3, p[1]}}; }));
  ::close(p[1]);
  ::close(stray);
  ASSERT_TRUE(child.ok()) << child.status();
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = ::read(p[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(p[0]);
  ASSERT_TRUE(child->Wait(absl::Seconds(10)).ok());
  // ls sees 0, 1, 2, 3 and its own directory fd; nothing else of ours.
  std::vector<std::string> fds = absl::StrSplit(out, '\n', absl::SkipEmpty());
  EXPECT_LE(fds.size(), 5u) << out;
  for (const std::string& fd : fds) EXPECT_LE(std::stoi(fd), 4) << out;
}

TEST(Spawn, ChildGetsDefaultSignalsEvenWhenDaemonIgnoresSigpipeAndBlocksSigterm) {
  // A daemon ignores SIGPIPE and blocks SIGTERM for sigwait: its children must get neither.
  struct sigaction ign {}, old {};
  ign.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ign, &old);
  sigset_t term, old_mask;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &term, &old_mask);
  auto r = RunCommand(Cmd({"/bin/grep", "-E", "^Sig(Ign|Blk)", "/proc/self/status"}));
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGPIPE, &old, nullptr);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NE(r->out.find("SigBlk:\t0000000000000000"), std::string::npos) << r->out;
  EXPECT_NE(r->out.find("SigIgn:\t0000000000000000"), std::string::npos) << r->out;
}

TEST(Spawn, NewSessionByDefault) {
  auto r = RunCommand(Cmd({"/bin/sh", "-c", "cut -d' ' -f6 /proc/$$/stat; echo $$"}));
  ASSERT_TRUE(r.ok());
  std::vector<std::string> lines = absl::StrSplit(r->out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << r->out;
  EXPECT_EQ(lines[0], lines[1]) << "session id is the shell's pid";
}

TEST(Spawn, SafeFromManyThreadsAtOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&ok] {
      for (int i = 0; i < 25; ++i) {
        auto r = RunCommand(Cmd({"/bin/echo", "hi"}));
        if (r.ok() && r->exit_code == 0 && r->out == "hi\n") ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 200);
}

}  // namespace
}  // namespace podagent
