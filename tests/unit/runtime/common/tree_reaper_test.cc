// TreeReaper: a discarded tree leaves its place at once and is deleted by the reaper's thread, by
// fd (symlinks inside never lead it out); what a crash left in its directory goes at Start.
#include "runtime/common/tree_reaper.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "runtime/common/files.h"
#include "tests/fixtures/image/temp_dir.h"

namespace podagent {
namespace {

using imagetest::TempDir;

class TreeReaperTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    ASSERT_TRUE(MakeDirs(tmp_ / "outside").ok());
    ASSERT_TRUE(WriteFileAtomic(tmp_ / "outside/keep", "keep").ok());
  }
  // A tree of a few directories and files, with symlinks pointing outside it.
  std::string MakeTree(const std::string& name) {
    std::string tree = tmp_ / name;
    EXPECT_TRUE(MakeDirs(tree + "/a/b").ok());
    for (int i = 0; i < 50; ++i) EXPECT_TRUE(WriteFileAtomic(tree + "/a/b/f" + std::to_string(i), "x").ok());
    EXPECT_EQ(::symlink((tmp_ / "outside").c_str(), (tree + "/a/out").c_str()), 0);
    EXPECT_EQ(::symlink((tmp_ / "outside/keep").c_str(), (tree + "/keeplink").c_str()), 0);
    return tree;
  }
  void ExpectOutsideIntact() {
    auto content = ReadFile(tmp_ / "outside/keep");
    ASSERT_TRUE(content.ok()) << content.status();
    EXPECT_EQ(*content, "keep");
  }
  TempDir tmp_{"podagent-reaper"};
};

TEST_F(TreeReaperTest, DiscardMovesTheTreeAwayAndTheThreadDeletesIt) {
  TreeReaper reaper(tmp_ / "trash");
  ASSERT_TRUE(reaper.Start().ok());
  std::string one = MakeTree("one"), two = MakeTree("two");
  ASSERT_TRUE(reaper.Discard(one).ok());
  EXPECT_FALSE(PathExists(one)) << "the tree must leave its place before Discard returns";
  ASSERT_TRUE(reaper.Discard(two).ok());
  EXPECT_FALSE(PathExists(two));
  ASSERT_TRUE(reaper.WaitEmpty(absl::Seconds(30)));
  auto left = ListDir(tmp_ / "trash");
  ASSERT_TRUE(left.ok()) << left.status();
  EXPECT_TRUE(left->empty()) << (*left)[0];
  ExpectOutsideIntact();
}

TEST_F(TreeReaperTest, WhatAnEarlierRunLeftIsDeletedAtStart) {
  ASSERT_TRUE(MakeDirs(tmp_ / "trash").ok());
  std::string tree = MakeTree("trash/left-by-a-crash");
  TreeReaper reaper(tmp_ / "trash");
  ASSERT_TRUE(reaper.Start().ok());
  ASSERT_TRUE(reaper.WaitEmpty(absl::Seconds(30)));
  EXPECT_FALSE(PathExists(tree));
  ExpectOutsideIntact();
}

TEST_F(TreeReaperTest, NotStartedDeletesInPlaceAndAMissingTreeIsFine) {
  TreeReaper reaper(tmp_ / "trash");
  std::string tree = MakeTree("tree");
  ASSERT_TRUE(reaper.Discard(tree).ok());
  EXPECT_FALSE(PathExists(tree));
  EXPECT_FALSE(PathExists(tmp_ / "trash"));
  ASSERT_TRUE(reaper.Start().ok());
  EXPECT_TRUE(reaper.Discard(tmp_ / "never-was").ok());
  ExpectOutsideIntact();
}

}  // namespace
}  // namespace podagent
