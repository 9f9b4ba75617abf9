// ROOT: the shim's JoinCgroups (runtime/shim/cgroup_join.h) on this machine's real hierarchy, v1 or
// v2: a single-threaded process lands in every hierarchy's cgroup, and a process with a second
// thread moves with all its threads (on v1 the quick `tasks` write would move only the caller).
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "runtime/common/files.h"
#include "runtime/shim/cgroup_join.h"
#include "tests/lib/host_cgroup_test.h"

namespace podagent {
namespace {

class CgroupJoinRoot : public testing::HostCgroupTest {
 protected:
  CgroupJoinRoot() : HostCgroupTest("podagent-join") {}

  void SetUp() override {
    HostCgroupTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(driver_->Create(top_).ok());
  }

  // Forks a child that starts `threads` extra threads, joins top_ and then waits on a pipe; the
  // child stays until Release. Exit status 0 when every join succeeded.
  pid_t SpawnJoiner(int threads) {
    if (::pipe(go_) != 0 || ::pipe(done_) != 0) return -1;
    std::vector<std::string> files = driver_->ProcsFiles(top_);
    pid_t pid = ::fork();
    if (pid == 0) {
      std::atomic<bool> stop{false};
      std::vector<std::thread> extra;
      for (int i = 0; i < threads; ++i) {
        extra.emplace_back([&] {
          while (!stop) ::usleep(1000);
        });
      }
      int rc = JoinCgroups(files).ok() ? 0 : 1;
      char c = rc ? 'f' : 'j';
      (void)!::write(done_[1], &c, 1);
      (void)!::read(go_[0], &c, 1);
      stop = true;
      for (std::thread& t : extra) t.join();
      ::_exit(rc);
    }
    char c = 0;
    EXPECT_EQ(::read(done_[0], &c, 1), 1);
    EXPECT_EQ(c, 'j') << "a join failed";
    return pid;
  }

  int Release(pid_t pid) {
    EXPECT_EQ(::write(go_[1], "g", 1), 1);
    int status = 0;
    ::waitpid(pid, &status, 0);
    for (int fd : {go_[0], go_[1], done_[0], done_[1]}) ::close(fd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  // Every cgroup line of every thread of `pid` names top_ (v1: each hierarchy podagent uses).
  void ExpectAllThreadsIn(pid_t pid, size_t want_threads) {
    auto tids = ListDir(absl::StrCat("/proc/", pid, "/task"));
    ASSERT_TRUE(tids.ok()) << tids.status();
    EXPECT_EQ(tids->size(), want_threads);
    for (const std::string& tid : *tids) {
      auto text = ReadFile(absl::StrCat("/proc/", pid, "/task/", tid, "/cgroup"));
      ASSERT_TRUE(text.ok()) << text.status();
      size_t in_top = 0;
      for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
        if (absl::EndsWith(line, top_)) ++in_top;
      }
      EXPECT_GE(in_top, driver_->ProcsFiles(top_).size())
          << "thread " << tid << " is not in " << top_ << ":\n" << *text;
    }
  }

  int go_[2] = {-1, -1};
  int done_[2] = {-1, -1};
};

TEST_F(CgroupJoinRoot, SingleThreadedProcessJoinsEveryHierarchy) {
  pid_t pid = SpawnJoiner(0);
  ASSERT_GT(pid, 0);
  for (const std::string& f : driver_->ProcsFiles(top_)) {
    auto procs = ReadFile(f);
    ASSERT_TRUE(procs.ok()) << procs.status();
    EXPECT_TRUE(absl::StrContains(absl::StrCat("\n", *procs), absl::StrCat("\n", pid, "\n"))) << f << ":\n" << *procs;
  }
  ExpectAllThreadsIn(pid, 1);
  EXPECT_EQ(Release(pid), 0);
}

TEST_F(CgroupJoinRoot, ProcessWithAnotherThreadMovesWithAllItsThreads) {
  pid_t pid = SpawnJoiner(1);
  ASSERT_GT(pid, 0);
  ExpectAllThreadsIn(pid, 2);
  EXPECT_EQ(Release(pid), 0);
}

}  // namespace
}  // namespace podagent
