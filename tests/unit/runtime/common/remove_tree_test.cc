// RemoveTree walks by directory fds: symlinks in the tree, and directories swapped for symlinks
// while it runs, never make it delete anything outside the tree.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

#include "runtime/common/files.h"
#include "tests/fixtures/image/temp_dir.h"

namespace podagent {
namespace {

using imagetest::TempDir;

class RemoveTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    ASSERT_TRUE(MakeDirs(tmp_ / "outside").ok());
    for (int i = 0; i < 8; ++i) {
      ASSERT_TRUE(WriteFileAtomic(tmp_ / ("outside/f" + std::to_string(i)), "keep").ok());
    }
  }
  // Every sentinel file outside the tree, still there with its content.
  void ExpectOutsideIntact() {
    auto names = ListDir(tmp_ / "outside");
    ASSERT_TRUE(names.ok()) << names.status();
    ASSERT_EQ(names->size(), 8u) << "files outside the tree were deleted";
    for (int i = 0; i < 8; ++i) {
      auto content = ReadFile(tmp_ / ("outside/f" + std::to_string(i)));
      ASSERT_TRUE(content.ok()) << content.status();
      EXPECT_EQ(*content, "keep");
    }
  }
  TempDir tmp_{"podagent-rmtree"};
};

TEST_F(RemoveTreeTest, RemovesSymlinksNotTheirTargets) {
  std::string tree = tmp_ / "tree";
  ASSERT_TRUE(MakeDirs(tree + "/a/b").ok());
  ASSERT_TRUE(WriteFileAtomic(tree + "/a/b/file", "x").ok());
  ASSERT_EQ(::symlink((tmp_ / "outside").c_str(), (tree + "/abs").c_str()), 0);
  ASSERT_EQ(::symlink("../../outside", (tree + "/a/rel").c_str()), 0);
  ASSERT_EQ(::symlink((tmp_ / "outside/f0").c_str(), (tree + "/a/b/filelink").c_str()), 0);
  ASSERT_TRUE(RemoveTree(tree).ok());
  EXPECT_FALSE(PathExists(tree));
  ExpectOutsideIntact();
}

TEST_F(RemoveTreeTest, TopLevelSymlinkIsRemovedItself) {
  std::string link = tmp_ / "link";
  ASSERT_EQ(::symlink((tmp_ / "outside").c_str(), link.c_str()), 0);
  ASSERT_TRUE(RemoveTree(link).ok());
  EXPECT_FALSE(PathExists(link));
  ExpectOutsideIntact();
}

TEST_F(RemoveTreeTest, AbsentPathIsFine) { EXPECT_TRUE(RemoveTree(tmp_ / "absent/deeper").ok()); }

// A "container" keeps swapping tree/d (a directory full of files) for a symlink to outside/ while
// the daemon removes the tree. A walk by path names would list and unlink outside/'s files.
TEST_F(RemoveTreeTest, DirectorySwappedForSymlinkMidWalkNeverEscapes) {
  const std::string outside = tmp_ / "outside";
  for (int round = 0; round < 100; ++round) {
    std::string tree = tmp_ / ("tree" + std::to_string(round));
    ASSERT_TRUE(MakeDirs(tree + "/d").ok());
    for (int i = 0; i < 8; ++i) ASSERT_TRUE(WriteFileAtomic(tree + "/d/f" + std::to_string(i), "x").ok());
    std::atomic<bool> stop{false};
    std::thread swapper([&] {
      std::string d = tree + "/d", moved = tree + "/moved", link = tree + "/link";
      (void)::symlink(outside.c_str(), link.c_str());
      while (!stop.load()) {
        // d <-> link: at times tree/d is the directory, at times a symlink to outside/.
        ::rename(d.c_str(), moved.c_str());
        ::rename(link.c_str(), d.c_str());
        ::rename(d.c_str(), link.c_str());
        ::rename(moved.c_str(), d.c_str());
      }
    });
    absl::Status st = RemoveTree(tree);
    stop = true;
    swapper.join();
    ExpectOutsideIntact();
    if (HasFatalFailure() || HasNonfatalFailure()) {
      ADD_FAILURE() << "round " << round << ": outside files deleted; RemoveTree said " << st;
      return;
    }
    // The swapper may have recreated entries after the walk; clean up without racing now.
    ASSERT_TRUE(RemoveTree(tree).ok());
  }
}

TEST_F(RemoveTreeTest, RefusesTreesDeeperThanTheBound) {
  std::string tree = tmp_ / "deep";
  ASSERT_TRUE(MakeDirs(tree).ok());
  // Built by fds: the full path would exceed PATH_MAX.
  int fd = ::open(tree.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  for (int i = 0; i < 600; ++i) {
    ASSERT_EQ(::mkdirat(fd, "d", 0755), 0);
    int next = ::openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ::close(fd);
    ASSERT_GE(next, 0);
    fd = next;
  }
  ::close(fd);
  absl::Status st = RemoveTree(tree);
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  EXPECT_NE(st.message().find("deeper than"), std::string::npos) << st;
  ExpectOutsideIntact();
  std::error_code ec;
  std::filesystem::remove_all(tree, ec);  // the test's own tree, by path: 600 levels fit PATH_MAX
  EXPECT_FALSE(ec) << ec.message();
}

}  // namespace
}  // namespace podagent
