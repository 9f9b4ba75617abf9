// ImageManager::FsUsage (ImageFsInfo) on a real store in a temp dir, with a test clock: a
// measurement is reused for metrics.housekeeping_seconds and no longer, carries its own time,
// and 0 measures at every call. Bytes are the blocks the kernel allocated (a file's write shows).
#include <gtest/gtest.h>

#include <string>

#include "agent/image/image_manager.h"
#include "runtime/common/files.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

class ImageFsUsageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ctx_.config.root_dir = tmp_.path();
    ctx_.config.metrics_housekeeping_seconds = 10;
    mgr_ = std::make_unique<ImageManager>(ctx_, [this] { return now_; });
    ASSERT_TRUE(mgr_->Recover().ok());
    ASSERT_TRUE(MakeDirs(tmp_ / "containers/c1/upper").ok());
  }
  // A new 1 MiB file in a writable layer.
  void Grow(const std::string& name) {
    ASSERT_TRUE(WriteFileAtomic(tmp_ / ("containers/c1/upper/" + name), std::string(1 << 20, 'x')).ok());
  }

  podagent::testing::TempDir tmp_;
  AgentContext ctx_;
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
  std::unique_ptr<ImageManager> mgr_;
};

TEST_F(ImageFsUsageTest, AMeasurementIsReusedForTheIntervalAndNoLonger) {
  ImageFsUsage first = mgr_->FsUsage();
  EXPECT_EQ(first.measured_at, now_);
  EXPECT_EQ(first.containers_mountpoint, tmp_ / "containers");
  Grow("a");
  now_ += absl::Seconds(9);
  ImageFsUsage reused = mgr_->FsUsage();
  EXPECT_EQ(reused.measured_at, first.measured_at) << "measured again within the interval";
  EXPECT_EQ(reused.containers.bytes, first.containers.bytes);
  now_ += absl::Seconds(1);
  ImageFsUsage again = mgr_->FsUsage();
  EXPECT_EQ(again.measured_at, now_);
  EXPECT_GE(again.containers.bytes, first.containers.bytes + (1 << 20)) << "the new file is not counted";
  EXPECT_EQ(again.containers.inodes, first.containers.inodes + 1);
}

TEST_F(ImageFsUsageTest, AClockThatWentBackMeasuresAgain) {
  mgr_->FsUsage();
  Grow("a");
  now_ -= absl::Seconds(1);
  ImageFsUsage u = mgr_->FsUsage();
  EXPECT_EQ(u.measured_at, now_) << "a measurement from the future was reused";
}

TEST_F(ImageFsUsageTest, ZeroMeasuresAtEveryCall) {
  ctx_.config.metrics_housekeeping_seconds = 0;
  ImageFsUsage first = mgr_->FsUsage();
  Grow("a");
  ImageFsUsage second = mgr_->FsUsage();
  EXPECT_GE(second.containers.bytes, first.containers.bytes + (1 << 20));
}

}  // namespace
}  // namespace podagent
