#include "metrics/proc_fds.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

// A /proc tree whose fd entries are symlinks with the targets the kernel shows: a socket's link
// reads "socket:[inode]", a pipe's "pipe:[inode]", a file's its path.
class ProcFds : public ::testing::Test {
 protected:
  void Fd(int pid, int fd, const std::string& target) {
    std::string dir = root_.path() + "/" + std::to_string(pid) + "/fd";
    ASSERT_TRUE(MakeDirs(dir).ok());
    ASSERT_EQ(::symlink(target.c_str(), (dir + "/" + std::to_string(fd)).c_str()), 0) << dir;
  }
  testing::TempDir root_{"podagent-procfds"};
};

TEST_F(ProcFds, CountsEveryEntryAndTheSocketsAmongThem) {
  Fd(101, 0, "/dev/null");
  Fd(101, 1, "socket:[123]");
  Fd(101, 2, "pipe:[9]");
  Fd(101, 3, "socket:[124]");
  Fd(102, 0, "anon_inode:[eventfd]");
  Fd(102, 5, "socket:[777]");
  // 999 is gone and "x" is not a pid: both skipped, as a process that exits mid-scrape.
  FdCounts n = CountProcessFds("101\n102\n999\nx\n", root_.path());
  EXPECT_EQ(n.fds, 6u);
  EXPECT_EQ(n.sockets, 3u);
  EXPECT_EQ(CountProcessFds("", root_.path()).fds, 0u);
}

// A process's fd directory is the kernel's; a symlink in its place (which only a fake tree can
// have) is not followed, and neither is anything an fd entry points to.
TEST_F(ProcFds, FollowsNoSymlinkToADirectory) {
  Fd(7, 0, "socket:[1]");
  ASSERT_TRUE(MakeDirs(root_.path() + "/8").ok());
  ASSERT_EQ(::symlink((root_.path() + "/7/fd").c_str(), (root_.path() + "/8/fd").c_str()), 0);
  Fd(9, 0, root_.path() + "/7/fd");  // an fd whose target is a directory full of sockets
  FdCounts n = CountProcessFds("8\n9\n", root_.path());
  EXPECT_EQ(n.fds, 1u);   // 9's one entry
  EXPECT_EQ(n.sockets, 0u);
}

TEST_F(ProcFds, ReadsTheCgroupProcsFile) {
  Fd(101, 0, "socket:[5]");
  ASSERT_TRUE(WriteFileAtomic(root_.path() + "/cgroup.procs", "101\n").ok());
  std::optional<FdCounts> n = ReadCgroupFdCounts(root_.path(), root_.path());
  ASSERT_TRUE(n);
  EXPECT_EQ(n->fds, 1u);
  EXPECT_EQ(n->sockets, 1u);
  EXPECT_FALSE(ReadCgroupFdCounts(root_.path() + "/gone", root_.path()));
  EXPECT_FALSE(ReadCgroupFdCounts("", root_.path()));
}

// This process, through the real /proc: a socket it opens is counted.
TEST(ProcFdsReal, SeesASocketOfThisProcess) {
  std::string self = std::to_string(::getpid());
  FdCounts before = CountProcessFds(self);
  int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(s, 0);
  FdCounts after = CountProcessFds(self);
  ::close(s);
  EXPECT_EQ(after.fds, before.fds + 1);
  EXPECT_EQ(after.sockets, before.sockets + 1);
}

}  // namespace
}  // namespace podagent
