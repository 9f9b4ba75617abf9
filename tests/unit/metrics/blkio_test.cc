#include "metrics/blkio.h"

#include <gtest/gtest.h>

#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"
#include "tests/unit/metrics/fixture.h"

namespace podagent {
namespace {

using testing::CgroupFixture;

TEST(Blkio, ParsesIoStatIntoReadAndWrite) {
  std::vector<DeviceIo> d = ParseIoStat(
      "8:16 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=5 dios=1\n"
      "259:0 rbytes=7 wbytes=0 rios=3 wios=0 dbytes=0 dios=0 cost.usage=4\nbogus line\n");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].major, 8u);
  EXPECT_EQ(d[0].minor, 16u);
  EXPECT_EQ(d[0].bytes, (std::map<std::string, uint64_t>{{"Read", 10}, {"Write", 20}}));
  EXPECT_EQ(d[0].ios, (std::map<std::string, uint64_t>{{"Read", 1}, {"Write", 2}}));
  EXPECT_EQ(d[1].major, 259u);
  EXPECT_EQ(d[1].bytes.at("Read"), 7u);
  EXPECT_EQ(d[1].ios.at("Read"), 3u);
}

// BFQ's files list no device (only "Total 0"): the throttle layer's recursive pair is read, not
// the non-recursive file (999 reads) after it.
TEST(Blkio, V1FallsThroughToTheFirstSourceWithDevices) {
  std::vector<DeviceIo> d = ReadBlkioV1(CgroupFixture("v1") + "/blkio/podagent/podaaa/ctr1");
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].major, 8u);
  EXPECT_EQ(d[0].minor, 0u);
  EXPECT_EQ(d[0].ios.at("Read"), 256u);
  EXPECT_EQ(d[0].ios.at("Write"), 512u);
  EXPECT_EQ(d[0].bytes.at("Read"), 1048576u);
  EXPECT_EQ(d[0].bytes.at("Write"), 2097152u);
  EXPECT_EQ(d[0].bytes.at("Total"), 3145728u);
  EXPECT_EQ(d[0].bytes.size(), 6u);  // Read Write Sync Async Discard Total
  EXPECT_EQ(d[1].major, 254u);
  EXPECT_EQ(d[1].bytes.at("Read"), 4096u);
  EXPECT_TRUE(ReadBlkioV1(CgroupFixture("v1") + "/blkio/podagent/gone").empty());
  EXPECT_TRUE(ReadBlkioV1("").empty());
}

TEST(Blkio, DeviceNamesFromSysDevBlock) {
  testing::TempDir sys("podagent-sys");
  ASSERT_TRUE(MakeDirs(sys / "dev/block/8:0").ok());
  ASSERT_TRUE(WriteFileAtomic(sys / "dev/block/8:0/uevent", "MAJOR=8\nMINOR=0\nDEVNAME=sda\nDEVTYPE=disk\n").ok());
  EXPECT_EQ(BlockDeviceName(8, 0, sys.path()), "/dev/sda");
  EXPECT_EQ(BlockDeviceName(8, 1, sys.path()), "");
}

}  // namespace
}  // namespace podagent
