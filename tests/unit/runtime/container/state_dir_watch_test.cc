// StateDirWatch against the real inotify: which state dirs a Drain names after the shim's own
// record writers ran in some of them, a removed dir, an unwatched key, and a lost event queue.
#include "runtime/container/state_dir_watch.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "runtime/common/files.h"
#include "runtime/container/shim_records.h"
#include "tests/lib/read_all.h"
#include "tests/lib/temp_dir.h"

namespace podagent {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

class StateDirWatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* k : {"a", "b", "c"}) ASSERT_TRUE(MakeDirs(tmp_ / k).ok());
    auto w = StateDirWatch::Open();
    ASSERT_TRUE(w.ok()) << w.status();
    watch_.emplace(std::move(*w));
    for (const char* k : {"a", "b", "c"}) ASSERT_TRUE(watch_->Watch(k, tmp_ / k).ok()) << k;
  }
  podagent::testing::TempDir tmp_;
  std::optional<StateDirWatch> watch_;
};

TEST_F(StateDirWatchTest, NamesOnlyTheDirsAnExitRecordWasWrittenIn) {
  EXPECT_THAT(watch_->Drain().keys, IsEmpty());
  ASSERT_TRUE(WriteExitRecord(tmp_ / "b", ExitRecord{.exit_code = 1}).ok());  // temp file + rename
  StateDirWatch::Changes c = watch_->Drain();
  EXPECT_THAT(c.keys, ElementsAre("b"));
  EXPECT_FALSE(c.overflow);
  EXPECT_THAT(watch_->Drain().keys, IsEmpty()) << "a change is reported once";
}

TEST_F(StateDirWatchTest, AFilledReservationIsAChange) {
  ASSERT_TRUE(ReserveExitRecord(tmp_ / "c").ok());
  watch_->Drain();  // the reservation itself, written before the container runs
  ASSERT_TRUE(WriteExitRecord(tmp_ / "c", ExitRecord{.exit_code = 2}).ok());
  EXPECT_THAT(watch_->Drain().keys, ElementsAre("c"));
}

TEST_F(StateDirWatchTest, AReadIsNoChange) {
  ASSERT_TRUE(WriteExitRecord(tmp_ / "a", ExitRecord{.exit_code = 1}).ok());
  watch_->Drain();
  auto r = ReadExitRecord(tmp_ / "a");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_TRUE(r->has_value());
  EXPECT_THAT(watch_->Drain().keys, IsEmpty());
}

TEST_F(StateDirWatchTest, AnUnwatchedKeyIsNeverNamed) {
  watch_->Unwatch("a");
  EXPECT_FALSE(watch_->Watching("a"));
  EXPECT_EQ(watch_->size(), 2u);
  ASSERT_TRUE(WriteExitRecord(tmp_ / "a", ExitRecord{}).ok());
  EXPECT_THAT(watch_->Drain().keys, IsEmpty());
  watch_->Unwatch("a");  // twice is fine
}

TEST_F(StateDirWatchTest, ARemovedDirIsNamedOnceAndForgotten) {
  ASSERT_TRUE(RemoveTree(tmp_ / "b").ok());
  EXPECT_THAT(watch_->Drain().keys, ElementsAre("b"));
  EXPECT_FALSE(watch_->Watching("b"));
  EXPECT_TRUE(watch_->Watching("a"));
  EXPECT_FALSE(watch_->Watch("b", tmp_ / "b").ok()) << "watching a missing dir must fail";
}

TEST_F(StateDirWatchTest, WatchingAKeyAgainKeepsOneWatch) {
  ASSERT_TRUE(watch_->Watch("a", tmp_ / "a").ok());
  EXPECT_THAT(watch_->Drain().keys, IsEmpty()) << "watching again dropped the new watch";
  ASSERT_TRUE(WriteExitRecord(tmp_ / "a", ExitRecord{}).ok());
  EXPECT_THAT(watch_->Drain().keys, ElementsAre("a"));
  EXPECT_TRUE(watch_->Watching("a"));
  EXPECT_EQ(watch_->size(), 3u);
}

// More events than the kernel queues (fs.inotify.max_queued_events): Drain must say events were
// lost, since the dir that changed may be among them.
TEST_F(StateDirWatchTest, AnOverflowedQueueIsReported) {
  std::string max = testing::ReadAll("/proc/sys/fs/inotify/max_queued_events");
  ASSERT_FALSE(max.empty()) << "cannot read fs.inotify.max_queued_events";
  int limit = std::stoi(max);
  ASSERT_LE(limit, 1 << 20) << "the queue is too long to overflow in a test";
  for (int i = 0; i <= limit; ++i) {
    // One IN_CLOSE_WRITE per file: each names its own file, so none merges with the one before.
    int fd = ::open(absl::StrCat(tmp_ / "a", "/f", i).c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    ::close(fd);
  }
  StateDirWatch::Changes c = watch_->Drain();
  EXPECT_TRUE(c.overflow);
}

}  // namespace
}  // namespace podagent
