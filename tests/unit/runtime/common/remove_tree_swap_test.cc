// RemoveTree when a directory of the tree turns into a symlink to a directory outside it exactly
// between the walk's fstatat (which saw a directory) and its openat of that entry: the one
// interleaving remove_tree_test.cc's racing thread hits only now and then.
//
// This program defines fstatat itself, so RemoveTree's calls land here (an executable's symbol
// comes before libc's). Disarmed it is the plain system call; armed, after the real call saw the
// named entry as a directory, it swaps that entry for a symlink, once. A walk that opens the
// entry without O_NOFOLLOW then empties the directory outside.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <string>

#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"

namespace {

// Paths in the test's own temp dir. `link` waits outside the tree, so the walk cannot meet and
// remove it before it comes to `entry`.
struct Swap {
  std::string entry;  // the directory the walk will see
  std::string aside;  // where that directory goes, in the tree
  std::string link;   // a symlink, renamed over `entry` after the walk's fstatat of it
};

Swap g_swap;
std::atomic<bool> g_armed{false};
std::atomic<int> g_swaps{0};

int RealFstatat(int dirfd, const char* name, struct stat* st, int flags) {
  return static_cast<int>(::syscall(SYS_newfstatat, dirfd, name, st, flags));
}

void SwapIfArmed(const char* name, const struct stat* st) {
  if (!S_ISDIR(st->st_mode) || std::strcmp(name, "d") != 0) return;
  bool expected = true;
  if (!g_armed.compare_exchange_strong(expected, false)) return;
  const Swap& s = g_swap;
  if (::rename(s.entry.c_str(), s.aside.c_str()) == 0 && ::rename(s.link.c_str(), s.entry.c_str()) == 0) {
    g_swaps.fetch_add(1);
  }
}

}  // namespace

extern "C" int fstatat(int dirfd, const char* name, struct stat* st, int flags) {
  int saved = errno;
  int r = RealFstatat(dirfd, name, st, flags);
  if (r < 0) return -1;  // the syscall wrapper set errno
  errno = saved;
  if (g_armed.load()) SwapIfArmed(name, st);
  return r;
}

// The same layout on 64-bit Linux, where the two names are aliases in libc.
static_assert(sizeof(struct stat) == sizeof(struct stat64));
extern "C" int fstatat64(int dirfd, const char* name, struct stat64* st, int flags) {
  return fstatat(dirfd, name, reinterpret_cast<struct stat*>(st), flags);
}

namespace podagent {
namespace {

TEST(RemoveTreeSwapTest, DirectoryBecomesSymlinkBetweenStatAndOpen) {
  testing::TempDir tmp("podagent-rmtree-swap");
  const std::string outside = tmp / "outside";
  const std::string tree = tmp / "tree";
  ASSERT_TRUE(MakeDirs(outside).ok());
  ASSERT_TRUE(MakeDirs(tree + "/d").ok());
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(WriteFileAtomic(outside + "/keep" + std::to_string(i), "keep").ok());
    ASSERT_TRUE(WriteFileAtomic(tree + "/d/f" + std::to_string(i), "x").ok());
  }
  ASSERT_EQ(::symlink(outside.c_str(), (tmp / "link").c_str()), 0) << std::strerror(errno);
  g_swap = Swap{tree + "/d", tree + "/moved", tmp / "link"};
  g_swaps = 0;
  g_armed = true;

  absl::Status st = RemoveTree(tree);
  g_armed = false;

  // The interposer must have fired, or this test proves nothing.
  ASSERT_EQ(g_swaps.load(), 1) << "RemoveTree did not call fstatat on tree/d; the swap never happened";
  EXPECT_TRUE(st.ok()) << st;
  EXPECT_FALSE(PathExists(tree)) << "the tree, its moved directory and the swapped-in symlink all go";
  auto names = ListDir(outside);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(names->size(), 4u) << "RemoveTree followed the swapped-in symlink and emptied " << outside;
  for (int i = 0; i < 4; ++i) {
    auto content = ReadFile(outside + "/keep" + std::to_string(i));
    ASSERT_TRUE(content.ok()) << content.status();
    EXPECT_EQ(*content, "keep");
  }
}

}  // namespace
}  // namespace podagent
