#include "runtime/image/path_safety.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/common/files.h"
#include "runtime/image/whiteout.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

TEST(CleanEntryPath, Normalises) {
  EXPECT_EQ(*CleanEntryPath("./usr//bin/"), "usr/bin");
  EXPECT_EQ(*CleanEntryPath("./"), "");
  EXPECT_EQ(*CleanEntryPath("a/./b"), "a/b");
  EXPECT_EQ(*CleanEntryPath("..a/b..c"), "..a/b..c");
}

TEST(CleanEntryPath, RefusesEscapes) {
  for (const char* bad : {"/etc/passwd", "../x", "a/../../x", "a/..", ".."}) {
    auto r = CleanEntryPath(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(r.status().message().find("refused"), std::string::npos) << r.status();
  }
}

TEST(SplitParent, Splits) {
  EXPECT_EQ(SplitParent("a/b/c"), (std::pair<std::string, std::string>{"a/b", "c"}));
  EXPECT_EQ(SplitParent("c"), (std::pair<std::string, std::string>{"", "c"}));
}

TEST(Whiteout, Classifies) {
  bool invalid = false;
  EXPECT_EQ(ClassifyWhiteout("foo", &invalid).kind, WhiteoutKind::kNone);
  auto w = ClassifyWhiteout(".wh.foo", &invalid);
  EXPECT_EQ(w.kind, WhiteoutKind::kFile);
  EXPECT_EQ(w.target, "foo");
  EXPECT_EQ(ClassifyWhiteout(".wh..wh..opq", &invalid).kind, WhiteoutKind::kOpaque);
  EXPECT_FALSE(invalid);
  ClassifyWhiteout(".wh...", &invalid);
  EXPECT_TRUE(invalid);
  ClassifyWhiteout(".wh.", &invalid);
  EXPECT_TRUE(invalid);
}

class BeneathTest : public ::testing::Test {
 protected:
  testing::TempDir scratch_{"podagent-beneath"};
  void SetUp() override {
    dir_ = scratch_.path();
    ASSERT_TRUE(MakeDirs(dir_ + "/root/real").ok());
    ASSERT_TRUE(MakeDirs(dir_ + "/outside").ok());
    ASSERT_EQ(::symlink((dir_ + "/outside").c_str(), (dir_ + "/root/abs").c_str()), 0);
    ASSERT_EQ(::symlink("../outside", (dir_ + "/root/rel").c_str()), 0);
    ASSERT_EQ(::symlink("real", (dir_ + "/root/inside").c_str()), 0);
    root_ = UniqueFd(::open((dir_ + "/root").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(root_.Valid());
  }
  std::string dir_;
  UniqueFd root_;
};

TEST_F(BeneathTest, OpensRealDirs) {
  EXPECT_TRUE(OpenBeneath(root_.Get(), "real", O_RDONLY | O_DIRECTORY, "t").ok());
  EXPECT_TRUE(OpenBeneath(root_.Get(), "", O_RDONLY | O_DIRECTORY, "t").ok());
}

TEST_F(BeneathTest, RefusesAnySymlink) {
  for (const char* p : {"abs", "rel", "inside", "abs/x", "rel/x"}) {
    auto r = OpenBeneath(root_.Get(), p, O_RDONLY | O_DIRECTORY, "t");
    ASSERT_FALSE(r.ok()) << p;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << p << ": " << r.status();
  }
  auto made = MakeDirsBeneath(root_.Get(), "abs/new/dir", "t");
  EXPECT_FALSE(made.ok());
  EXPECT_FALSE(PathExists(dir_ + "/outside/new"));
}

TEST_F(BeneathTest, MakeDirsCreatesMissing) {
  ASSERT_TRUE(MakeDirsBeneath(root_.Get(), "real/a/b/c", "t").ok());
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/root/real/a/b/c").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
}

}  // namespace
}  // namespace podagent
