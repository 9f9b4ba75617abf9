#include "metrics/disk_usage.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

class DiskUsageTest : public ::testing::Test {
 protected:
  testing::TempDir scratch_{"podagent-du"};
  void SetUp() override {
    dir_ = scratch_.path();
  }
  void Write(const std::string& rel, size_t size) {
    ASSERT_TRUE(WriteFileAtomic(dir_ + "/" + rel, std::string(size, 'x')).ok());
  }
  std::string dir_;
};

TEST_F(DiskUsageTest, CountsBlocksOnceForHardLinksAndSkipsSymlinkTargets) {
  ASSERT_TRUE(MakeDirs(dir_ + "/a/b").ok());
  Write("a/b/big", 1 << 20);
  ASSERT_EQ(::link((dir_ + "/a/b/big").c_str(), (dir_ + "/a/hard").c_str()), 0);
  ASSERT_EQ(::symlink("/usr", (dir_ + "/a/sym").c_str()), 0);
  DirUsage du = MeasureDiskUsage(dir_, 1000);
  EXPECT_TRUE(du.complete);
  EXPECT_GE(du.bytes, 1u << 20);
  EXPECT_LT(du.bytes, 2u << 20);  // the hard link is not counted twice, /usr is not walked
  EXPECT_EQ(du.inodes, 5u);       // dir_, a, b, big, sym
}

TEST_F(DiskUsageTest, StopsAtTheEntryLimit) {
  for (int i = 0; i < 20; ++i) Write("f" + std::to_string(i), 10);
  DirUsage du = MeasureDiskUsage(dir_, 5);
  EXPECT_FALSE(du.complete);
  EXPECT_LE(du.inodes, 6u);
}

TEST_F(DiskUsageTest, MissingDirectoryIsEmpty) {
  DirUsage du = MeasureDiskUsage(dir_ + "/absent", 100);
  EXPECT_EQ(du.bytes, 0u);
  EXPECT_EQ(du.inodes, 0u);
}

TEST_F(DiskUsageTest, CacheServesUntilMtimeChangesOrTtlPasses) {
  DiskUsageCache cache(absl::Seconds(10));
  absl::Time t0 = absl::FromUnixSeconds(1000);
  ASSERT_TRUE(MakeDirs(dir_ + "/sub").ok());
  uint64_t before = cache.Get(dir_, t0).bytes;
  Write("sub/deep", 1 << 20);  // does not change dir_'s mtime
  EXPECT_EQ(cache.Get(dir_, t0 + absl::Seconds(5)).bytes, before);
  EXPECT_GE(cache.Get(dir_, t0 + absl::Seconds(11)).bytes, before + (1 << 20));
  Write("top", 1 << 20);  // changes dir_'s mtime: measured again at once
  EXPECT_GE(cache.Get(dir_, t0 + absl::Seconds(12)).bytes, before + (2 << 20));
}

}  // namespace
}  // namespace podagent
